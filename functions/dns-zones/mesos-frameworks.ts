/**
 * @module
 * `F.D` and `_framework._tcp.F.D` for every framework (with or without tasks), and the
 * per-framework name suffixes task records reuse.
 */
import type { Framework } from "../../lib/snapshot/schema.ts";
import { domainFragment } from "../../lib/net/dns-labels.ts";
import { parsePid } from "../../lib/net/host-port.ts";
import { MesosDnsCode } from "./mesos-context.ts";
import type { MesosZoneContext } from "./mesos-context.ts";
import type { AppNames, TaskNameSet } from "./mesos-task-names.ts";

/** A framework as task records need it. */
export interface FrameworkInfo {
  /** The sanitised framework name (`F`), dots kept as label separators. */
  readonly fragment: string;
  /** `.F.D`: appended to task labels. */
  readonly suffix: string;
  /** `.F.slave.D`. */
  readonly slaveSuffix: string;
  /** Per raw task name, the names every instance shares (filled while task records are made). */
  readonly taskApps: Map<string, AppNames>;
  /** Per raw DiscoveryInfo name, likewise. */
  readonly discoveryApps: Map<string, AppNames>;
  /** Per task label `T`: one name set, whichever app (task name, discovery name, raw) led to it. */
  readonly nameSets: Map<string, TaskNameSet>;
}

/**
 * Adds the framework records and returns the frameworks by ID. A framework whose name
 * sanitises to nothing maps to `undefined` (its tasks get no records); one diagnostic says so.
 * @example
 * const frameworks = addFrameworkRecords(ctx, snapshot.frameworks);
 * frameworks.get(marathonId)?.suffix; // ".marathon.mesos"
 */
export function addFrameworkRecords(
  ctx: MesosZoneContext,
  frameworks: readonly Framework[],
): Map<string, FrameworkInfo | undefined> {
  const byId = new Map<string, FrameworkInfo | undefined>();
  const byFragment = new Map<string, { first: Framework; info: FrameworkInfo }>();
  const d = ctx.domain;
  for (const framework of frameworks) {
    const subject = `framework:${framework.id}`;
    const fragment = domainFragment(framework.name, ctx.mode);
    if (fragment === "") {
      const why = `framework name ${JSON.stringify(framework.name)} sanitises to nothing; no records for it or its tasks`;
      ctx.report("warning", MesosDnsCode.emptyLabel, subject, why);
      byId.set(framework.id, undefined);
      continue;
    }
    const name = `${fragment}.${d}`;
    let shared = byFragment.get(fragment);
    if (shared === undefined) {
      const info: FrameworkInfo = {
        fragment,
        suffix: `.${name}`,
        slaveSuffix: `.${fragment}.slave.${d}`,
        taskApps: new Map(),
        discoveryApps: new Map(),
        nameSets: new Map(),
      };
      shared = { first: framework, info };
      byFragment.set(fragment, shared);
    } else if (shared.first.name !== framework.name) {
      const first = shared.first;
      ctx.report(
        "warning",
        MesosDnsCode.frameworkCollision,
        subject,
        `framework ${JSON.stringify(framework.name)} and framework ${first.id} (${JSON.stringify(first.name)}) both become ${name}; their records merge`,
      );
    }
    // Two framework IDs may share one fragment (a re-registered scheduler); their tasks then
    // share the per-app name cache too, which is exactly the merge mesos-dns did.
    byId.set(framework.id, shared.info);
    const addresses = ctx.addressesOf(framework.ips, subject, "framework IP");
    const resolved = addresses.a.length + addresses.aaaa.length > 0;
    if (resolved) {
      ctx.addAddresses(name, addresses, subject);
    } else {
      ctx.report("info", MesosDnsCode.unresolved, subject, `framework ${JSON.stringify(framework.name)} has no IP address; no ${name} records`);
    }
    if (framework.pid !== undefined) {
      const pid = parsePid(framework.pid);
      if (pid === undefined) {
        ctx.report("warning", MesosDnsCode.invalidPid, subject, `framework PID ${JSON.stringify(framework.pid)} does not parse`);
      } else if (pid.port === 0) {
        ctx.report("warning", MesosDnsCode.invalidPort, subject, `framework PID ${framework.pid} has port 0; no _framework._tcp record`);
      } else if (resolved) {
        ctx.addSrv(`_framework._tcp.${name}`, ctx.srv(name, pid.port), subject);
      }
    }
  }
  return byId;
}
