/**
 * Read a child Deno's V8 heap through its inspector (`--inspect=127.0.0.1:PORT`): garbage is
 * collected first, so what is read is what the process holds, without the heap headroom RSS
 * also counts. Used by `bench:memory` for the heap held per idle session.
 *
 * @module
 */

/** The inspector of a child started with `--inspect=127.0.0.1:<port>`. */
export interface HeapReader {
  /** Used heap after a full GC, in KiB. */
  usedKiB(): Promise<number>;
  /** Close the inspector connection. */
  close(): void;
}

/**
 * Connect to the inspector on `port` (the child's first target).
 *
 * @example
 * ```ts
 * import { heapReader } from "./inspector.ts";
 * const heap = await heapReader(9229);
 * console.log(await heap.usedKiB());
 * heap.close();
 * ```
 */
export async function heapReader(port: number): Promise<HeapReader> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let seq = 0;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data as string) as { id?: number; result?: Record<string, unknown> };
    if (m.id !== undefined) {
      waiting.get(m.id)?.(m.result ?? {});
      waiting.delete(m.id);
    }
  };
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  return {
    async usedKiB() {
      // Twice: the first pass may leave what finalizers free.
      await call("HeapProfiler.collectGarbage");
      await call("HeapProfiler.collectGarbage");
      return Number((await call("Runtime.getHeapUsage")).usedSize) / 1024;
    },
    close: () => ws.close(),
  };
}
