/**
 * Finds the cycles in a dependency graph (ARM refuses a deployment whose `dependsOn` loops).
 * Each cycle is reported once, as the list of its members in dependency order.
 */
export function findDependencyCycles<T>(nodes: readonly T[], dependenciesOf: (node: T) => readonly T[]): T[][] {
  const state = new Map<T, 'visiting' | 'done'>();
  const cycles: T[][] = [];
  const path: T[] = [];
  // Iterative depth-first search: templates can be long chains, recursion could overflow.
  for (const start of nodes) {
    if (state.has(start)) continue;
    const stack: { node: T; deps: readonly T[]; next: number }[] = [{ node: start, deps: dependenciesOf(start), next: 0 }];
    state.set(start, 'visiting');
    path.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++]!;
        const s = state.get(dep);
        if (s === 'visiting') cycles.push(path.slice(path.indexOf(dep)));
        else if (!s) {
          state.set(dep, 'visiting');
          path.push(dep);
          stack.push({ node: dep, deps: dependenciesOf(dep), next: 0 });
        }
      } else {
        state.set(top.node, 'done');
        path.pop();
        stack.pop();
      }
    }
  }
  return cycles;
}
