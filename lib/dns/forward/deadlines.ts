/**
 * @module
 * Pending upstream exchanges in deadline order, without a timer each: one list per timeout
 * value (every exchange in a list has the same timeout, so appending keeps it sorted, as in
 * Node's own timer lists), swept by one interval. Removal is O(1), so an exchange that is
 * answered leaves at once and its memory is free before the next scavenge.
 */

/** What a list holds: an item with a deadline and room for the links. */
export interface Timed<T extends Timed<T>> {
  readonly deadline: number;
  prev: T | undefined;
  next: T | undefined;
  list: DeadlineList<T> | undefined;
}

export class DeadlineList<T extends Timed<T>> {
  head: T | undefined;
  tail: T | undefined;

  /** @example list.append(exchange) */
  append(item: T): void {
    item.list = this;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
  }

  remove(item: T): void {
    if (item.list !== this) return;
    if (item.prev === undefined) this.head = item.next;
    else item.prev.next = item.next;
    if (item.next === undefined) this.tail = item.prev;
    else item.next.prev = item.prev;
    item.prev = item.next = item.list = undefined;
  }

  /** Removes and returns the first item if its deadline is at or before `now`. */
  takeExpired(now: number): T | undefined {
    const head = this.head;
    if (head === undefined || head.deadline > now) return undefined;
    this.remove(head);
    return head;
  }
}
