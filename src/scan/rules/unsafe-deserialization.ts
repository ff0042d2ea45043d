import { callsTo, type Rule } from './rule.js';

const LOADERS = /^((c|_)?pickle\.(loads?|Unpickler)|dill\.loads?|shelve\.open|jsonpickle\.(decode|loads)|marshal\.loads?|yaml\.(unsafe_load|full_load|load_all|unsafe_load_all)|pandas\.read_pickle|joblib\.load|torch\.load|numpy\.load)$/;
const SAFE_YAML = /(Safe|CSafe|Base)Loader$/;

export const unsafeDeserialization: Rule = {
  meta: {
    id: 'unsafe-deserialization',
    title: 'Deserialisation that can run code (pickle, marshal, shelve, dill, jsonpickle, yaml.load)',
    severity: 'medium',
    confidence: 'high',
    category: 'deserialization',
    cwe: 'CWE-502',
    explanation: 'Loading a pickle (and formats built on it) can call any function: a crafted file runs code the moment it is loaded. yaml.load without a safe loader can construct arbitrary objects.',
    advice: 'Load only data you created yourself; use JSON, or yaml.safe_load, for anything from elsewhere.',
  },
  check({ model, report }) {
    for (const call of callsTo(model, (name) => LOADERS.test(name) || name === 'yaml.load')) {
      if (call.name === 'yaml.load') {
        const loader = call.keywords.get('Loader') ?? call.args[1];
        const loaderName = loader ? (model.qualify(loader) ?? loader.text) : '';
        if (SAFE_YAML.test(loaderName)) continue;
      }
      if (call.name === 'numpy.load' && call.keywords.get('allow_pickle')?.type !== 'true') continue;
      if (call.name === 'torch.load' && call.keywords.get('weights_only')?.type === 'true') continue;
      const source = call.args[0];
      const fromNetwork = source !== undefined && model.tags(source).has('downloaded');
      report(call.node, `${call.name}() can run code embedded in the data${fromNetwork ? ', and the data comes from the network' : ''}`, fromNetwork ? { severity: 'high' } : undefined);
    }
  },
};
