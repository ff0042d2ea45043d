/** The Python grammar (tree-sitter, wasm), loaded once per process. */
import { createRequire } from 'node:module';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';

let loading: Promise<Parser> | undefined;

/** The node kinds the module model is built from (see ModuleModel). */
const MODEL_QUERY = '[(call) (import_statement) (import_from_statement) (assignment) (comment) (string) (class_definition) (with_item) (function_definition) (lambda) (augmented_assignment) (except_clause) (for_statement) (for_in_clause)] @node';

let modelQuery: Query | undefined;

export function moduleModelQuery(parser: Parser): Query {
  modelQuery ??= new Query(parser.language!, MODEL_QUERY);
  return modelQuery;
}

export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}

export type { Tree };
