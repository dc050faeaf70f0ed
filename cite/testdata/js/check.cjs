// Reads back the cite package's exports with maintained parsers and prints
// what they found as JSON (cite/parse_test.go compares it with the input).
// Usage: node check.cjs FILE.ris FILE.bib FILE.json
const fs = require('fs')
const { Cite } = require('@citation-js/core')
require('@citation-js/plugin-bibtex')
require('@citation-js/plugin-ris')
require('@citation-js/plugin-csl')

const strip = (items) => items.map(({ _graph, ...rest }) => rest)

async function main () {
  const [ris, bib, csl] = process.argv.slice(2).map((f) => fs.readFileSync(f, 'utf8'))
  const bibtexParser = await import('@retorquere/bibtex-parser')
  const parsed = bibtexParser.parse(bib)
  const out = {
    ris: strip(new Cite(ris, { forceType: '@ris/file' }).data),
    bibtex: { errors: parsed.errors, entries: parsed.entries.map((e) => ({ type: e.type, key: e.key, fields: e.fields })) },
    bibtexCite: strip(new Cite(bib, { forceType: '@biblatex/text' }).data),
    csl: strip(new Cite(JSON.parse(csl), { forceType: '@csl/list+object' }).data),
    cslAPA: new Cite(JSON.parse(csl)).format('bibliography', { format: 'text', template: 'apa', lang: 'en-US' })
  }
  process.stdout.write(JSON.stringify(out))
}
main().catch((e) => { console.error(e); process.exit(1) })
