/** The Python grammar (tree-sitter, wasm), loaded once per process. */
import { createRequire } from 'node:module';
import type { Parser, Query, Tree } from 'web-tree-sitter';

let loading: Promise<Parser> | undefined;

/** The node kinds the module model is built from (see ModuleModel). */
const MODEL_NODE_KINDS = ['call', 'import_statement', 'import_from_statement', 'assignment', 'string', 'class_definition', 'with_item', 'function_definition', 'lambda', 'augmented_assignment', 'except_clause', 'for_statement', 'for_in_clause'];
/** Each kind is captured under its own name: the capture name gives a node's type without a call into wasm. */
const MODEL_QUERY = MODEL_NODE_KINDS.map((kind) => `(${kind}) @${kind}`).join(' ');

let modelQuery: Query | undefined;
/** Comments are wanted by one rule, in few files: they have a query of their own, run on demand. */
let commentQuery: Query | undefined;

export function moduleCommentQuery(): Query {
  if (!commentQuery) throw new Error('moduleCommentQuery: loadPythonParser() has not finished');
  return commentQuery;
}

/** Compiled with the parser (a fully cached scan never loads the wasm runtime at all). */
export function moduleModelQuery(): Query {
  if (!modelQuery) throw new Error('moduleModelQuery: loadPythonParser() has not finished');
  return modelQuery;
}

export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    const { Language, Parser, Query } = await import('web-tree-sitter');
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    modelQuery = new Query(language, MODEL_QUERY);
    commentQuery = new Query(language, '(comment) @comment');
    return parser;
  })();
  return loading;
}

export type { Tree };
