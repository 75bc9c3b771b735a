/** A group of resources whose `dependsOn` loops, reported once. */
export interface DependencyCycle<T> {
  /** One shortest cycle through the group's first member, in dependency order (the first is not repeated). */
  path: T[];
  /** How many resources depend on each other in the group (at least the length of the path). */
  size: number;
}

/**
 * Finds the cycles in a dependency graph (ARM refuses a deployment whose `dependsOn` loops).
 * Each group of nodes that depend on each other (a strongly connected component) is reported
 * once, by one shortest cycle through its first node: a copy loop that depends on its own loop
 * has n² edges and as many cycles, and listing them all made a report of megabytes.
 */
export function findDependencyCycles<T>(nodes: readonly T[], dependenciesOf: (node: T) => readonly T[]): DependencyCycle<T>[] {
  const deps = new Map<T, readonly T[]>();
  const depsOf = (n: T) => {
    let d = deps.get(n);
    if (!d) deps.set(n, (d = dependenciesOf(n)));
    return d;
  };
  const groups = stronglyConnected(nodes, depsOf);
  const order = new Map(nodes.map((n, i) => [n, i]));
  const out: DependencyCycle<T>[] = [];
  for (const group of groups) {
    const members = new Set(group);
    if (group.length === 1 && !depsOf(group[0]!).includes(group[0]!)) continue;
    const first = group.reduce((a, b) => ((order.get(a) ?? Infinity) <= (order.get(b) ?? Infinity) ? a : b));
    out.push({ path: shortestCycle(first, members, depsOf), size: group.length });
  }
  // In declaration order of the group's first member, as the report reads top to bottom.
  return out.sort((a, b) => (order.get(a.path[0]!) ?? 0) - (order.get(b.path[0]!) ?? 0));
}

/** Tarjan's algorithm, iterative: templates can be long chains, recursion could overflow. */
function stronglyConnected<T>(nodes: readonly T[], depsOf: (node: T) => readonly T[]): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const groups: T[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: T; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const d = depsOf(top.node);
      if (top.next < d.length) {
        const dep = d[top.next++]!;
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push({ node: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(dep)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const group: T[] = [];
        let member: T;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== top.node);
        groups.push(group);
      }
    }
  }
  return groups;
}

/** Breadth-first from `start` back to itself within `members`: the shortest cycle through it. */
function shortestCycle<T>(start: T, members: ReadonlySet<T>, depsOf: (node: T) => readonly T[]): T[] {
  const previous = new Map<T, T>();
  const queue: T[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const dep of depsOf(node)) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        // Walked back from the end, then reversed (unshift per step is quadratic on long cycles).
        const path = [node];
        while (path[path.length - 1] !== start) path.push(previous.get(path[path.length - 1]!)!);
        return path.reverse();
      }
      if (!previous.has(dep)) {
        previous.set(dep, node);
        queue.push(dep);
      }
    }
  }
  return [start];
}
