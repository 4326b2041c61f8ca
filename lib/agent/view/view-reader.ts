/**
 * @module
 * The node view as appliers read it (`ViewReader`): kept values by key or prefix, the hashes,
 * and, for appliers that only know whole desired states, the node's DesiredState assembled
 * from the kept values by the control plane's own function (`nodeViewOf`), once per
 * generation. Without DNS values (the DNS server holds them) its zones are empty, which no
 * applier but `files` reads.
 */
import { nodeViewOf } from "../../../functions/keyed/assemble.ts";
import type { KeyedObjects } from "../../../functions/keyed/object-store.ts";
import type { DesiredState } from "../../desired/schema.ts";
import type { ViewReader } from "../../executor/keyed-applier.ts";
import type { NodeView } from "./node-view.ts";

/**
 * @example const reader = new NodeViewReader(view, "S1"); reader.desired().overlay.nodes.S1
 */
export class NodeViewReader implements ViewReader {
  #assembled: { generation: number | undefined; hash: string; desired: DesiredState } | undefined;

  constructor(
    private readonly view: NodeView,
    readonly node: string,
  ) {}

  get generation(): number {
    return this.view.generation ?? 0;
  }

  get hash(): string {
    return this.view.hash;
  }

  get dnsHash(): string {
    return this.view.dnsHash;
  }

  value<T = unknown>(key: string): T | undefined {
    return this.view.value<T>(key);
  }

  valuesUnder<T = unknown>(prefix: string): Iterable<[string, T]> {
    return this.view.valuesUnder<T>(prefix);
  }

  desired(): DesiredState {
    const cached = this.#assembled;
    if (cached !== undefined && cached.generation === this.view.generation && cached.hash === this.view.hash) return cached.desired;
    const view = this.view;
    // nodeViewOf reads the objects through entries(), value() and nodeHash() only.
    const objects = {
      *entries() {
        for (const [key] of view.valuesUnder("")) yield [key, undefined];
      },
      value: (key: string) => view.value(key),
      nodeHash: () => view.hash,
    } as unknown as KeyedObjects;
    const desired = nodeViewOf(objects, this.node);
    this.#assembled = { generation: view.generation, hash: view.hash, desired };
    return desired;
  }
}
