// Like fill.js, but every retained 64 KiB array also keeps a Buffer alive outside V8's heap
// (OFFHEAP_PERCENT of the array's size, default 20), as a server holding I/O buffers does.
// Off-heap memory counts against the container but not against --max-old-space-size: this is
// the workload that shows whether the sizing model leaves enough room beside the heap.
const share = Number(process.env.OFFHEAP_PERCENT ?? 20) / 100;
const bufBytes = Math.round(65536 * share);
const keep = [];
let i = 0;
for (;;) {
  keep.push([new Array(8192).fill(i++), Buffer.alloc(bufBytes, 1)]);
  for (let j = 0; j < 8; j++) new Array(1024).fill(j);
  if (i % 128 === 0) {
    const m = process.memoryUsage();
    console.log(`fill heapUsed=${m.heapUsed >> 20} rss=${m.rss >> 20} external=${m.external >> 20}`);
  }
}
