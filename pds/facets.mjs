// Bluesky's own facet detection (@atproto/api RichText, without resolving mentions): reads a JSON
// list of texts on stdin, prints a JSON list of each text's facets.
import { RichText } from '@atproto/api';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((text) => {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  return rt.facets ?? [];
});
process.stdout.write(JSON.stringify(out));
