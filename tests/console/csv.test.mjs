// console/src/csv.ts, transpiled by esbuild (from the console's npm
// packages) and run here: cells a spreadsheet would take for a formula get
// a leading apostrophe, quotes are doubled, numbers stay numbers.
//
// Usage: node csv.test.mjs SOURCE_DIR
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const source = path.resolve(process.argv[2]);
const require = createRequire(path.join(source, "console", "package.json"));
const esbuild = require("esbuild");
const ts = fs.readFileSync(path.join(source, "console", "src", "csv.ts"), "utf8");
const { code } = await esbuild.transform(ts, { loader: "ts", format: "esm" });
const csv = await import("data:text/javascript;base64," + Buffer.from(code).toString("base64"));

for (const [input, want] of [
  ["=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""],
  ["+1", "\"'+1\""],
  ["-2+3", "\"'-2+3\""],
  ["@SUM(A1)", "\"'@SUM(A1)\""],
  ["\tx", "\"'\tx\""],
  ["\rx", "\"'\rx\""],
  ["status 503, expected 200-299", "\"status 503, expected 200-299\""],
  ["", "\"\""],
]) {
  assert.equal(csv.csvCell(input), want, JSON.stringify(input));
}
assert.equal(csv.csvCell(-12.5), "-12.5", "a negative number is a number, not a formula");
assert.equal(csv.csvCell(null), "");
assert.equal(csv.csvCell(NaN), "");
assert.equal(csv.toCsv(["a", "b"], [[1, "=x"]]), "\"a\",\"b\"\r\n1,\"'=x\"\r\n");
console.log("csv test: formula-looking cells are defused");
