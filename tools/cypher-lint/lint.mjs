#!/usr/bin/env node
// Lint Cypher statements with Neo4j's own grammar and semantic analysis (@neo4j-cypher/language-support).
//
// stdin:  JSON [{"name": "...", "query": "...", "parameters": {...}}, ...]
// stdout: JSON [{"name": "...", "diagnostics": [{"severity": "error"|"warning"|..., "message": "...",
//                 "line": 1, "column": 1, "offset": 0, "text": "..."}]}, ...]
// options: --labels A,B  --types T,U   declare the schema (then unknown labels / types are warned about);
//          --cypher-version "CYPHER 5"  the language version to check (default: CYPHER 5, i.e. Neo4j 5).
// Exit code: 0 when every statement is clean, 1 when any has a diagnostic, 2 on bad input.
//
// Functions are checked against the Neo4j 5 built-in function registry the package ships (APOC excluded),
// so a function Neo4j does not have (e.g. FalkorDB's typeOf) is an error, not silently accepted.
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';
import { readFileSync } from 'node:fs';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function parseArgs(argv) {
  const opts = { labels: undefined, types: undefined, cypherVersion: 'CYPHER 5' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--labels') opts.labels = argv[++i].split(',').filter(Boolean);
    else if (a === '--types') opts.types = argv[++i].split(',').filter(Boolean);
    else if (a === '--cypher-version') opts.cypherVersion = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

function builtinFunctions() {
  // The package's mock schema carries the real Neo4j function registry per Cypher version.
  const registry = {};
  for (const [version, fns] of Object.entries(testData.mockSchema.functions ?? {})) {
    registry[version] = Object.fromEntries(
      Object.entries(fns).filter(([name]) => !name.toLowerCase().startsWith('apoc.')),
    );
  }
  return registry;
}

function main() {
  let opts;
  let statements;
  try {
    opts = parseArgs(process.argv.slice(2));
    statements = JSON.parse(readFileSync(0, 'utf8'));
    if (!Array.isArray(statements)) throw new Error('expected a JSON array of statements');
  } catch (err) {
    process.stderr.write(`cypher-lint: ${err.message}\n`);
    process.exit(2);
  }
  const functions = builtinFunctions();
  let dirty = 0;
  const out = statements.map((st, i) => {
    const name = st.name ?? `statement ${i + 1}`;
    const query = `${opts.cypherVersion ? opts.cypherVersion + ' ' : ''}${st.query}`;
    const shift = opts.cypherVersion ? opts.cypherVersion.length + 1 : 0;
    const schema = {
      parameters: st.parameters ?? {},
      functions,
      defaultLanguage: opts.cypherVersion || undefined,
    };
    if (opts.labels) schema.labels = opts.labels;
    if (opts.types) schema.relationshipTypes = opts.types;
    const { diagnostics } = lintCypherQuery(query, schema);
    const diags = diagnostics.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.line === 0 ? d.range.start.character + 1 - shift : d.range.start.character + 1,
      offset: d.offsets.start - shift,
      text: query.slice(d.offsets.start, d.offsets.end),
    }));
    if (diags.length) dirty++;
    return { name, diagnostics: diags };
  });
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  process.exitCode = dirty ? 1 : 0; // not process.exit(): it would cut a piped stdout short
}

main();
