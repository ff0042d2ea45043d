import { callRule } from './rule.js';

export const xmlParsing = callRule(
  {
    id: 'xml-parsing',
    title: 'XML parsed with the standard library parsers (entity expansion, XXE)',
    severity: 'low',
    confidence: 'medium',
    category: 'injection',
    cwe: 'CWE-611',
    explanation: 'xml.etree, minidom, sax and lxml with default settings can be made to expand entities without bound or to read local files from crafted XML.',
    advice: 'Parse untrusted XML with defusedxml.',
  },
  (name) => /^(xml\.etree\.(c)?ElementTree\.(parse|fromstring|XMLParser|iterparse)|xml\.dom\.(minidom|pulldom)\.(parse|parseString)|xml\.sax\.(parse|parseString|make_parser)|lxml\.etree\.(parse|fromstring|XMLParser))$/.test(name),
  (call) => (call.name === 'lxml.etree.XMLParser' && call.keywords.get('resolve_entities')?.type === 'false' ? undefined : `${call.name}()`),
);
