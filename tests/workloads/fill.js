// Fill test: keep every 64 KiB array alive (promoted to old space) while also making short-lived
// garbage, until V8 reaches its heap limit. With a heap cap that fits the container this ends in
// V8's "Reached heap limit" (a recoverable, diagnosable failure); with one that does not, the
// kernel OOM-kills node first. Prints progress lines so the last heap/RSS before death is known.
const keep = [];
let i = 0;
for (;;) {
  keep.push(new Array(8192).fill(i++));
  for (let j = 0; j < 8; j++) new Array(1024).fill(j);
  if (i % 128 === 0) {
    const m = process.memoryUsage();
    console.log(`fill heapUsed=${m.heapUsed >> 20} rss=${m.rss >> 20}`);
  }
}
