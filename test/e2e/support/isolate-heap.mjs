// Prints the V8 heap in use by the Worker's isolate under `wrangler dev` (bytes, after the full
// garbage collection a heap snapshot makes), read over the inspector port given as argv[2].
// A separate process because WebSocket needs `node --experimental-websocket` on Node 20.
const port = process.argv[2];
const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: `http://127.0.0.1:${port}` } });
let id = 0;
const pending = new Map();
ws.onmessage = (message) => {
  const msg = JSON.parse(message.data);
  pending.get(msg.id)?.(msg);
  pending.delete(msg.id);
};
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error(`cannot open the inspector on port ${port}`));
});
const call = (method, params = {}) =>
  new Promise((resolve) => {
    const i = ++id;
    pending.set(i, resolve);
    ws.send(JSON.stringify({ id: i, method, params }));
  });
await call("HeapProfiler.enable");
await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
const usage = await call("Runtime.getHeapUsage");
ws.close();
process.stdout.write(`${usage.result.usedSize}\n`, () => process.exit(0));
