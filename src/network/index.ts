/**
 * The network saferun controls: an egress proxy with an allowlist, address checks, a
 * connection log, an upload cap, a prompt and a kill switch. See egress-proxy.ts for the API.
 */
export { startEgressProxy, type EgressProxy, type EgressProxyOptions, type ConnectionRecord, type NetworkCut, type EgressTarget } from './egress-proxy.js';
export { parseAllowRule, formatAllowRule, isListed, type AllowRule } from './allow-rules.js';
export { describeReason, type EgressReason } from './egress-decision.js';
export { classifyAddress, type AddressKind } from './address-class.js';
