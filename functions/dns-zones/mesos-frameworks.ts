/**
 * @module
 * `F.D` and `_framework._tcp.F.D` of one framework (with or without tasks), the name suffixes
 * its tasks' records reuse, and the collision report of frameworks whose names become the same
 * fragment (their records merge, as in mesos-dns).
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { Framework } from "../../lib/snapshot/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { domainFragment } from "../../lib/net/dns-labels.ts";
import { parsePid } from "../../lib/net/host-port.ts";
import { MesosDnsCode } from "./mesos-context.ts";
import type { MesosSettings, MesosZoneContext } from "./mesos-context.ts";
import { AppNameCache } from "./mesos-task-names.ts";

/** A framework as task records need it. */
export interface FrameworkInfo {
  /** The sanitised framework name (`F`), dots kept as label separators. */
  readonly fragment: string;
  /** `.F.D`: appended to task labels. */
  readonly suffix: string;
  /** `.F.slave.D`. */
  readonly slaveSuffix: string;
  /** The names of the framework's apps, worked out once per app rather than per task. */
  readonly apps: AppNameCache;
}

/**
 * The framework's facts for its tasks' records; `undefined` when its name sanitises to
 * nothing (its tasks get no records).
 * @example mesosFrameworkInfo(marathon, settings)?.suffix // ".marathon.mesos"
 */
export function mesosFrameworkInfo(framework: Framework, settings: MesosSettings): FrameworkInfo | undefined {
  const fragment = domainFragment(framework.name, settings.mode);
  if (fragment === "") return undefined;
  const d = settings.domain;
  return { fragment, suffix: `.${fragment}.${d}`, slaveSuffix: `.${fragment}.slave.${d}`, apps: new AppNameCache(settings.mode) };
}

/**
 * Adds one framework's records and returns its facts (see `mesosFrameworkInfo`). A framework
 * whose name sanitises to nothing gets one diagnostic saying so.
 * @example addFrameworkRecords(ctx, marathon)?.suffix // ".marathon.mesos"
 */
export function addFrameworkRecords(ctx: MesosZoneContext, framework: Framework): FrameworkInfo | undefined {
  const subject = `framework:${framework.id}`;
  const info = mesosFrameworkInfo(framework, ctx);
  if (info === undefined) {
    ctx.report("warning", MesosDnsCode.emptyLabel, subject, `framework name ${JSON.stringify(framework.name)} sanitises to nothing; no records for it or its tasks`);
    return undefined;
  }
  const name = `${info.fragment}.${ctx.domain}`;
  const addresses = ctx.addressesOf(framework.ips, subject, "framework IP");
  const resolved = addresses.a.length + addresses.aaaa.length > 0;
  if (resolved) {
    ctx.addAddresses(name, addresses);
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
      ctx.records.addSrv(`_framework._tcp.${name}`, ctx.srv(name, pid.port));
    }
  }
  return info;
}

/**
 * The collisions among frameworks whose names become one fragment: the framework with the
 * lowest id is the reference, and every other one whose name differs from it is reported (two
 * ids sharing a name are one re-registered scheduler). The reference is the lowest id, not the
 * first listed, so the report does not depend on the snapshot's order.
 * @example frameworkCollisions([{ id: "a", name: "Spark" }, { id: "b", name: "spark" }], "spark.mesos") // one warning about b
 */
export function frameworkCollisions(sharing: readonly Framework[], name: string): Diagnostic[] {
  if (sharing.length < 2) return [];
  const sorted = [...sharing].sort((a, b) => compareStrings(a.id, b.id));
  const first = sorted[0]!;
  return sorted.slice(1).flatMap((framework) =>
    framework.name === first.name
      ? []
      : [
          {
            level: "warning" as const,
            code: MesosDnsCode.frameworkCollision,
            subject: `framework:${framework.id}`,
            message: `framework ${JSON.stringify(framework.name)} and framework ${first.id} (${JSON.stringify(first.name)}) both become ${name}; their records merge`,
          },
        ],
  );
}
