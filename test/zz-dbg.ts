import { indexHistory } from "../src/checkers/history-index.js";
import { readHistory } from "../src/history/reader.js";

const h = await readHistory(process.argv[2] as string);
const rc = indexHistory(h).roleChange;
if (!rc) throw new Error("none");
console.log(rc.kind, rc.cutAt, rc.lost.length, rc.keysRead, rc.windowMs, rc.unobserved.slice(0, 5));
for (const l of rc.lost.slice(0, 8))
  console.log(
    l.write.collection,
    l.write.pk,
    l.write.ver,
    l.write.kind,
    l.write.completeTime,
    rc.cutAt - l.write.completeTime,
    "shown",
    l.shown,
  );
