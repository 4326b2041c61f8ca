/**
 * @module
 * The CNI applier: installs the node's `<overlay>.conflist` files (and DC/OS's `<overlay>.conf`
 * for Mesos's isolator) into the CNI config directory (the config's `overlay.cni.dir`, or a
 * directory given to the applier), so an overlay enabled in `wayfinder.yaml` is usable on
 * every agent with no manual step, and the configs of removed overlays disappear.
 *
 * Unlike the files applier, its record of what it wrote lives in its state directory, not
 * beside the configs: every file in a CNI directory is read as a network config by some
 * runtime (Mesos parses every entry; libcni every `.json`), so a manifest there would be one.
 * Each file is replaced atomically (written beside its target, fsynced, renamed); a file it did
 * not write is never overwritten or deleted.
 */
import { lstat, mkdir, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { DesiredState } from "../../desired/schema.ts";
import { renderConflist, renderMesosCniConf } from "../../render/overlay.ts";
import { diffKeyed, type Applier, type Plan } from "../applier.ts";
import { commitFile, discardStaged, stageFile, syncDirectory } from "../files/durable-write.ts";
import { driftOf, rebuildPlan } from "../files/plan.ts";
import { observeCni, writeCniManifest, type InstalledCni } from "./manifest.ts";
import { compareStrings } from "../../net/compare.ts";

export interface CniApplierOptions {
  /** Where the applier keeps its record of the files it installed (created when missing). */
  stateDir: string;
  /** Install here instead of the desired state's `cniDir` (a node whose runtime looks elsewhere). */
  dir?: string;
}

/** A network name as the config admits it, checked again: it becomes a file name. */
const NETWORK = /^[A-Za-z0-9][A-Za-z0-9_-]{0,12}$/;

/**
 * @example await applyDesired(nodeView(desired, "S1"), [createCniApplier({ stateDir: "/var/lib/wayfinder/cni" })])
 */
export function createCniApplier(options: CniApplierOptions): Applier<InstalledCni, string> {
  const plan = (desired: DesiredState, installed: InstalledCni) => {
    const wanted = wantedFiles(desired, options.dir);
    // A lost record is rebuilt from the configs it installs now. Which other files of the
    // shared directory were ever its own cannot be known, so none is claimed or deleted.
    if (installed.lost !== undefined) return rebuildPlan("cni", wanted, new Set(), installed.lost);
    return diffKeyed("cni", wanted, installed.files, installed.owned);
  };
  return {
    name: "cni",
    observe: () => observeCni(options.stateDir),
    plan,
    apply: (p) => applyCniPlan(options.stateDir, p),
    verify: async (desired) => driftOf(plan(desired, await observeCni(options.stateDir))),
  };
}

/**
 * Absolute path → contents of every config the node should have; none when it runs no overlay.
 * @example wantedFiles(nodeView(desired, "S1")) // Map { "/opt/mesosphere/etc/dcos/network/cni/dcos.conflist" → "{...}" }
 */
export function wantedFiles(desired: DesiredState, dirOverride?: string): Map<string, string> {
  if (desired.node === undefined) throw new Error("the cni applier needs a node view (nodeView(desired, node)), not the cluster's desired state");
  const node = desired.overlay.nodes[desired.node];
  const files = new Map<string, string>();
  if (node === undefined) return files;
  const dir = (dirOverride ?? node.cniDir).replace(/\/+$/, "");
  const configs: Array<[network: string, file: string, text: string]> = [
    ...Object.entries(node.cni).map(([network, conflist]): [string, string, string] => [network, `${network}.conflist`, renderConflist(conflist)]),
    ...Object.entries(node.mesosCni).map(([network, conf]): [string, string, string] => [network, `${network}.conf`, renderMesosCniConf(conf)]),
  ];
  for (const [network, file, text] of configs.sort(([, a], [, b]) => compareStrings(a, b))) {
    if (!NETWORK.test(network)) throw new Error(`refusing to write a CNI config for network ${JSON.stringify(network)}: not an overlay name`);
    files.set(`${dir}/${file}`, text);
  }
  return files;
}

/**
 * Stages every new file, records old and new files, renames, removes stale ones, records the
 * final set. A failure while staging leaves everything as it was; a crash later leaves every
 * file it wrote recorded, so the next run cleans up rather than mistaking it for a foreign one.
 * @example await applyCniPlan("/var/lib/wayfinder/cni", plan)
 */
export async function applyCniPlan(stateDir: string, plan: Plan<string>): Promise<void> {
  // With the record lost, the plan claims the configs it writes (see createCniApplier).
  const { owned, lost } = await observeCni(stateDir);
  const writes = [...plan.adds, ...plan.changes];
  const staged = new Map<string, string>();
  try {
    for (const [path, contents] of writes) {
      await mkdir(dirname(path), { recursive: true });
      const existing = await lstat(path).catch(() => undefined);
      if (existing !== undefined && !owned.has(path) && lost === undefined) throw new Error(`refusing to overwrite ${path}: wayfinder did not write it (remove it, or install into another directory)`);
      if (existing?.isDirectory()) throw new Error(`cannot write ${path}: a directory is in the way`);
      staged.set(path, await stageFile(path, contents));
    }
  } catch (error) {
    await discardStaged(staged.values());
    throw error;
  }
  const final = new Set([...owned, ...staged.keys()]);
  await writeCniManifest(stateDir, final);
  for (const [path, temp] of staged) await commitFile(temp, path);
  for (const path of plan.deletes) {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    final.delete(path);
  }
  for (const directory of new Set([...staged.keys(), ...plan.deletes].map((p) => dirname(p)))) await syncDirectory(directory);
  await writeCniManifest(stateDir, final);
}
