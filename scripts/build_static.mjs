// Builds the front-end vendor files into steward/static/vendor/ from node_modules.
// Run by `make` after `npm ci`; the output is git-ignored, never committed.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "steward", "static", "vendor");
const uswds = join(root, "node_modules", "@uswds", "uswds", "dist");
const htmx = join(root, "node_modules", "htmx.org", "dist", "htmx.min.js");

for (const required of [uswds, htmx]) {
  if (!existsSync(required)) {
    console.error(`missing ${required}: run \`npm ci\` first`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "uswds"), { recursive: true });
// The 2,000-odd Material icons are not used by our pages or by the USWDS stylesheet; leaving
// them out keeps collectstatic and WhiteNoise's start-up scan small.
const unused = new Set(["material-icons", "material-icons-deprecated"]);
for (const part of ["css", "js", "img", "fonts"]) {
  cpSync(join(uswds, part), join(out, "uswds", part), {
    recursive: true,
    filter: (source) => !unused.has(source.split(/[\\/]/).pop()),
  });
}
mkdirSync(join(out, "htmx"), { recursive: true });
cpSync(htmx, join(out, "htmx", "htmx.min.js"));
console.log(`front-end vendor files built into ${out}`);
