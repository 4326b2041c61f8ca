import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../lib/snapshot/config-file.ts";
import { InputError } from "../../lib/snapshot/issues.ts";

/** The example of issue 15, as an operator writes it. */
const EXAMPLE = `
policy:
  networks:
    dcos:
      attach:
        - action: allow
          apps: ["/shop/**"]
        - action: deny
      isolation: isolated
      allowFrom: [dcos6]
  rules:
    - name: web-to-db
      priority: 20
      action: allow
      from: { apps: ["/shop/web"] }
      to: { apps: ["/bank/db"] }
      ports: [{ protocol: tcp, port: 5432 }]
    - name: no-metadata
      priority: 1
      action: deny
      to: { ipBlocks: [{ cidr: 169.254.169.254/32 }] }
  default: allow
`;

function issues(text: string): Array<{ path: string; message: string }> {
  try {
    parseConfigYaml(text, "wayfinder.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).issues;
  }
  throw new Error("no error");
}

const withRule = (rule: string) => `policy:\n  rules:\n    - { name: r, priority: 1, action: allow, ${rule} }\n`;

describe("the policy section", () => {
  it("reads the issue's example with every default filled in", () => {
    const policy = parseConfigYaml(EXAMPLE, "wayfinder.yaml").policy!;
    expect(policy.networks["dcos"]).toEqual({
      attach: [{ action: "allow", apps: ["/shop/**"] }, { action: "deny" }],
      isolation: "isolated",
      allowFrom: ["dcos6"],
    });
    expect(policy.rules[0]).toEqual({
      name: "web-to-db",
      priority: 20,
      action: "allow",
      from: { apps: ["/shop/web"] },
      to: { apps: ["/bank/db"] },
      ports: [{ protocol: "tcp", port: 5432 }],
      log: false,
    });
    expect(policy.rules[1]!.to).toEqual({ ipBlocks: [{ cidr: "169.254.169.254/32", except: [] }] });
    expect(policy).toMatchObject({ default: "allow", logDrops: false });
  });

  it("is absent unless configured: no policy means DC/OS's open network", () => {
    expect(parseConfigYaml("dns: { ttl: 5 }\n", "wayfinder.yaml").policy).toBeUndefined();
  });

  it.each([
    [withRule("from: { app: ['/a'] }"), "policy.rules[0].from.app", "unknown key 'app'"],
    ["policy:\n  networks:\n    dcos: { isolation: isolated, allowFrom: [dcos-db] }\n", "policy.networks.dcos.allowFrom[0]", "unknown network 'dcos-db'"],
    [withRule("to: { networks: [nope] }"), "policy.rules[0].to.networks[0]", "unknown network 'nope'"],
    [withRule("to: { ipBlocks: [{ cidr: 10.0.0.0/33 }] }"), "policy.rules[0].to.ipBlocks[0].cidr", "not a CIDR block"],
    [withRule("to: { ipBlocks: [{ cidr: 10.0.0.1/8 }] }"), "policy.rules[0].to.ipBlocks[0].cidr", "host bits set"],
    [withRule("to: { ipBlocks: [{ cidr: 10.0.0.0/8, except: [11.0.0.0/16] }] }"), "policy.rules[0].to.ipBlocks[0].except[0]", "not inside 10.0.0.0/8"],
    [withRule("ports: [{ protocol: tcp, port: 90, endPort: 80 }]"), "policy.rules[0].ports[0].endPort", "below port 90"],
    [withRule("ports: [{ protocol: tcp, endPort: 80 }]"), "policy.rules[0].ports[0].endPort", "needs a port"],
    [withRule("ports: [{ protocol: icmp }]"), "policy.rules[0].ports[0].protocol", "Invalid option"],
    [withRule("ports: [{ port: 70000 }]"), "policy.rules[0].ports[0].port", "<=65535"],
    [withRule("ports: []"), "policy.rules[0].ports", "leave 'ports' out"],
    [withRule("from: { apps: ['shop/web'] }"), "policy.rules[0].from.apps[0]", "starts with '/'"],
    ["policy:\n  rules:\n    - { name: Bad_Name, priority: 1, action: allow }\n", "policy.rules[0].name", "lowercase"],
    ["policy:\n  rules:\n    - { name: r, priority: 1, action: drop }\n", "policy.rules[0].action", "Invalid option"],
    ["policy:\n  rules:\n    - { name: r, priority: 1, action: allow }\n    - { name: r, priority: 2, action: deny }\n", "policy.rules[1].name", "already defined at rules[0]"],
    ["policy:\n  networks:\n    dcos: { allowFrom: [host] }\n", "policy.networks.dcos.allowFrom", "isolated network"],
    ["policy:\n  networks:\n    dcos:\n      attach: [{ action: deny, tasks: [x] }]\n", "policy.networks.dcos.attach[0].tasks", "unknown key 'tasks'"],
    ["policy:\n  default: block\n", "policy.default", "Invalid option"],
    ["policy:\n  defualt: deny\n", "policy.defualt", "unknown key 'defualt'"],
  ])("refuses %j at %s", (text, path, message) => {
    const found = issues(text);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toContain(message);
  });

  it("knows the pseudo-networks, the overlays and the networks it declares", () => {
    const text = "policy:\n  networks:\n    calico: {}\n    dcos: { isolation: isolated, allowFrom: [host, edge, bridge, dcos6, calico] }\n";
    expect(parseConfigYaml(text, "wayfinder.yaml").policy!.networks["dcos"]!.allowFrom).toEqual(["host", "edge", "bridge", "dcos6", "calico"]);
  });

  it("refuses an overlay named like a pseudo-network once a policy is configured", () => {
    const text = "overlay:\n  overlays: [{ name: edge, subnet: 9.0.0.0/8, prefix: 24 }]\npolicy: {}\n";
    expect(issues(text)[0]).toMatchObject({ path: "overlay.overlays", message: expect.stringContaining("ambiguous") });
  });
});
