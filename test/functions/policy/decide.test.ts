import { describe, expect, it } from "vitest";
import { reconcile } from "../../../functions/reconcile.ts";
import { PolicyDecider, type Decision } from "../../../functions/policy/decide.ts";
import { IP, tenants } from "./tenants.ts";

const desired = reconcile(tenants());
const decider = new PolicyDecider(desired.policy!);
const decide = (from: string, to: string, port: number, protocol = "tcp"): Decision => decider.decide(decider.source(from), to, protocol, port);

describe("decide: the verdicts written out by hand", () => {
  it.each([
    // [from, to, port, protocol, verdict, by]
    [IP.web1, IP.db, 5432, "tcp", "allow", "web-to-db"], // an admin allow is final, over blue's isolation
    [IP.web1, IP.db, 5433, "tcp", "deny", "network:blue"], // isolation: dcos may not reach blue
    [IP.edge, IP.db, 5433, "tcp", "deny", "default"], // edge is in blue's allowFrom; the default decides
    [IP.web1, IP.api, 8080, "tcp", "allow", "app:/shop/api"], // pass skips the admin tier; api's label lets web in
    [IP.web1, IP.api, 9090, "tcp", "deny", "app:/shop/api"], // pass skipped web-api-9090: the app tier decides
    [IP.web1, IP.api, 8080, "udp", "deny", "app:/shop/api"], // the label is TCP 8080
    [IP.db, IP.api, 8080, "tcp", "deny", "app:/shop/api"], // the app tier narrows to /shop/web
    [IP.api, IP.web2, 80, "tcp", "deny", "a-deny"], // equal priorities go in name order
    [IP.db, IP.web1, 8050, "tcp", "allow", "db-range"], // endPort ranges
    [IP.db, IP.web1, 8101, "tcp", "deny", "default"],
    [IP.web1, "169.254.169.254", 80, "tcp", "deny", "no-metadata"],
    [IP.web2, `${IP.a1}`, 7000, "tcp", "allow", "dcos-to-probe"], // a host-network task is its ports on the agent
    [IP.web2, `${IP.a1}`, 22, "tcp", "deny", "default"], // ...and the rest of the agent is the node
    [IP.a1, IP.web2, 80, "tcp", "deny", "a-deny"], // the node (and its host-network tasks) as a source
    ["203.0.113.5", IP.web1, 443, "tcp", "allow", "office"], // outside, inside the block
    ["203.0.113.200", IP.web1, 443, "tcp", "deny", "default"], // outside, in the block's except
    ["203.0.113.5", `${IP.a1}`, 7000, "tcp", "deny", "default"], // outside to a host-network task
    ["203.0.113.5", `${IP.a1}`, 22, "tcp", "allow", "no-task"], // outside to a node: not the policy's business
    [IP.web1, "9.0.1.99", 80, "tcp", "deny", "unprogrammed"], // an overlay address no task holds yet
    ["9.0.0.77", IP.web2, 80, "tcp", "deny", "unprogrammed"], // an unknown source in a1's slice
    [IP.web1, IP.rogue, 80, "tcp", "deny", "quarantine"], // a task its network refused
    [IP.rogue, IP.web1, 80, "tcp", "deny", "quarantine"], // ...sends nothing either
  ] as const)("%s → %s %s/%s: %s by %s", (from, to, port, protocol, verdict, by) => {
    expect(decide(from, to, port, protocol)).toMatchObject({ verdict, by });
  });

  it("names the tier that decided", () => {
    expect(decide(IP.web1, IP.db, 5432).tier).toBe("admin");
    expect(decide(IP.web1, IP.db, 5433).tier).toBe("network");
    expect(decide(IP.web1, IP.api, 8080).tier).toBe("app");
    expect(decide(IP.db, IP.web1, 8101).tier).toBe("default");
    expect(decide(IP.web1, "9.0.1.99", 80).tier).toBe("guard");
    expect(decide(IP.web1, IP.rogue, 80).tier).toBe("quarantine");
  });
});

describe("decide: the tiers' promises", () => {
  it("an app label never reopens what isolation closed", () => {
    const labelled = reconcile(tenants((s) => ({ ...s, apps: { ...s.apps, "/bank/db": { WAYFINDER_POLICY_ALLOW_FROM: "*" } } })));
    const d = new PolicyDecider(labelled.policy!);
    expect(d.decide(d.source(IP.web1), IP.db, "tcp", 5433)).toMatchObject({ verdict: "deny", by: "network:blue" });
    expect(d.decide(d.source(IP.edge), IP.db, "tcp", 5433)).toMatchObject({ verdict: "allow", by: "app:/bank/db" });
  });

  it("an app label never reopens what an admin deny closed", () => {
    const labelled = reconcile(tenants((s) => ({ ...s, apps: { ...s.apps, "/shop/web": { WAYFINDER_POLICY_ALLOW_FROM: "*" } } })));
    const d = new PolicyDecider(labelled.policy!);
    expect(d.decide(d.source(IP.api), IP.web2, "tcp", 80)).toMatchObject({ verdict: "deny", by: "a-deny" });
    expect(d.decide(d.source(IP.api), IP.web2, "tcp", 81)).toMatchObject({ verdict: "allow", by: "app:/shop/web" });
  });

  it("with a default of allow, an unlabelled app is open and a labelled one narrowed", () => {
    const open = reconcile(tenants((s) => ({ ...s, policy: { ...s.policy, default: "allow" } })));
    const d = new PolicyDecider(open.policy!);
    expect(d.decide(d.source(IP.db), IP.web1, "tcp", 9000)).toMatchObject({ verdict: "allow", by: "default" });
    expect(d.decide(d.source(IP.db), IP.api, "tcp", 8080)).toMatchObject({ verdict: "deny", by: "app:/shop/api" });
  });

  it("judges a new task only once it is in the snapshot: before, its address is closed", () => {
    const before = new PolicyDecider(reconcile(tenants()).policy!);
    const after = new PolicyDecider(reconcile(tenants((s) => ({ ...s, tasks: [...s.tasks, { id: "shop_web.3", app: "/shop/web", agent: "a2", network: "dcos", ip: "9.0.1.9" }] }))).policy!);
    expect(before.decide(before.source(IP.db), "9.0.1.9", "tcp", 8050)).toMatchObject({ verdict: "deny", by: "unprogrammed" });
    expect(after.decide(after.source(IP.db), "9.0.1.9", "tcp", 8050)).toMatchObject({ verdict: "allow", by: "db-range" });
    expect(before.decide(before.source("9.0.1.9"), IP.web1, "tcp", 80)).toMatchObject({ verdict: "deny", by: "unprogrammed" });
  });
});
