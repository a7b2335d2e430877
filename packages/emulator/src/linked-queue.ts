// An intrusive doubly linked FIFO: O(1) push, shift and removal of any member,
// so polls and tasks leave a queue in constant time however many are open.

export interface QueueNode<T> {
  /** Set by the queue while the node is in it. */
  prev?: T | undefined;
  next?: T | undefined;
  queued?: boolean;
}

export class LinkedQueue<T extends QueueNode<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(node: T): void {
    if (node.queued === true) throw new Error('node is already queued');
    node.queued = true;
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.count += 1;
  }

  shift(): T | undefined {
    const node = this.head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node` if it is queued here; returns whether it was. */
  remove(node: T): boolean {
    if (node.queued !== true) return false;
    if (node.prev === undefined) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    node.queued = false;
    this.count -= 1;
    return true;
  }
}
