import { describe, expect, it } from "vitest";
import { marathonAppIdOf, withAppIds } from "../../lib/snapshot/task-apps.ts";
import { Framework, Task } from "../../lib/snapshot/schema.ts";
import { MarathonApp } from "../../lib/snapshot/marathon.ts";

describe("marathonAppIdOf", () => {
  it.each([
    ["nginx-blue.3a58a46a-c937-11e5-9836-026ee08d9f6f", "/nginx-blue"],
    ["shop_web.6ab9d39c-4f55-11e8-8d0d-70b3d5800001", "/shop/web"],
    ["pod-on-dcos.instance-ea1231be-2930-11e8-96bf-70b3d5800001.app", "/pod-on-dcos"],
    ["a_b.c.instance-ea1231be-2930-11e8-96bf-70b3d5800001._app.1", "/a/b.c"],
    ["shop_web.marathon-6ab9d39c-4f55-11e8-8d0d-70b3d5800001", "/shop/web"],
  ])("reads %s as %s", (id, app) => {
    expect(marathonAppIdOf(id)).toBe(app);
  });

  it.each(["hello-0-server__7830c08b-f769-45d8-8be2-0004ff825dea", "plain", "Shop.6ab9d39c-4f55-11e8-8d0d-70b3d5800001", ".6ab9d39c-4f55-11e8-8d0d-70b3d5800001"])(
    "finds no app in %s",
    (id) => {
      expect(marathonAppIdOf(id)).toBeUndefined();
    },
  );
});

describe("withAppIds", () => {
  const frameworks = [Framework.parse({ id: "m", name: "marathon" }), Framework.parse({ id: "s", name: "hello-world" })];
  const task = (id: string, frameworkId: string, extra: Partial<Task> = {}) => Task.parse({ id, name: id, frameworkId, agentId: "a", state: "TASK_RUNNING", ...extra });

  it("prefers what Marathon lists, then parses Marathon's task ids, and never guesses for other frameworks", () => {
    const apps = [MarathonApp.parse({ id: "/listed/app", tasks: [{ id: "other_name.6ab9d39c-4f55-11e8-8d0d-70b3d5800001" }] })];
    const tasks = [
      task("other_name.6ab9d39c-4f55-11e8-8d0d-70b3d5800001", "m"),
      task("shop_web.6ab9d39c-4f55-11e8-8d0d-70b3d5800002", "m"),
      task("shop_web.6ab9d39c-4f55-11e8-8d0d-70b3d5800003", "s"),
      task("given.6ab9d39c-4f55-11e8-8d0d-70b3d5800004", "m", { appId: "/kept" }),
    ];
    expect(withAppIds(tasks, frameworks, apps).map((t) => t.appId)).toEqual(["/listed/app", "/shop/web", undefined, "/kept"]);
  });

  it("leaves the input untouched", () => {
    const tasks = Object.freeze([Object.freeze(task("shop_web.6ab9d39c-4f55-11e8-8d0d-70b3d5800002", "m"))]);
    withAppIds(tasks, frameworks, []);
    expect(tasks[0]!.appId).toBeUndefined();
  });
});
