/**
 * The profile file format (YAML). The JSON Schema in profiles/profile.schema.json is generated
 * from this and a test proves it is current.
 */
import { z } from 'zod';

import { NETWORK_MODES, WORKDIR_ACCESS } from './profile.js';
import { TIMEOUT_RANGE_MS } from './units.js';

export { NETWORK_MODES, WORKDIR_ACCESS, type NetworkMode, type WorkdirAccess } from './profile.js';

const size = z.union([z.string(), z.number()]).describe('a size: bytes, or a number with k, m or g (e.g. 512m, 2g)');
const duration = z
  .union([z.string().max(32), z.number().positive().max(TIMEOUT_RANGE_MS.max / 1000)])
  .describe('a duration: seconds, or a number with ms, s, m or h (e.g. 30s, 5m); at most 168h');
const action = z
  .string()
  .regex(/^(run|ask|block|escalate:[A-Za-z0-9_-]+)$/, { message: "use run, ask, block or escalate:<profile>" })
  .describe('run | ask | block | escalate:<profile name>');

export const profileFileSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('defaults to the file name'),
    description: z.string().max(500).optional(),
    extends: z.string().max(4096).optional().describe('a preset name or a path to another profile file'),
    limits: z
      .object({
        memory: size.optional(),
        cpus: z.number().optional().describe('CPU cores, may be fractional (e.g. 0.5)'),
        pids: z.number().int().optional(),
        nofile: z.number().int().optional().describe('open files limit'),
        maxFileSize: size.optional().describe('largest file the program may write'),
        tmpSize: size.optional().describe('size of the writable /tmp (tmpfs, noexec)'),
        timeout: duration.optional().describe('wall-clock limit'),
        outputSize: size.optional().describe('how much the output dir may grow in one run (default 1g); the run is stopped beyond it'),
      })
      .strict()
      .optional(),
    network: z
      .union([
        z.enum(NETWORK_MODES),
        z
          .object({
            mode: z.enum(NETWORK_MODES).optional(),
            allow: z
              .array(z.string().max(300))
              .max(500)
              .optional()
              .describe('HOST[:PORT] the program may reach in allowlist mode: a name, *.domain, or an IP address (ports 80 and 443 when none is given)'),
            maxUpload: size.optional().describe('bytes the program may send in one run before the network is cut (default 20m)'),
          })
          .strict(),
      ], { error: 'not a network mode; accepted: none, restricted, allowlist, open, or {mode, allow: [HOST[:PORT], ...], maxUpload}' })
      .optional()
      .describe('none | restricted | allowlist | open, or {mode, allow, maxUpload}'),
    runtime: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'use runc, runsc, auto, or a runtime name the engine lists' })
      .optional()
      .describe("the OCI runtime: runc, runsc (gVisor), any runtime the engine lists, or 'auto' (gVisor when the engine has it); default: the engine's default"),
    workdir: z.enum(WORKDIR_ACCESS).optional().describe('how the working directory is mounted'),
    output: z.boolean().optional().describe('whether --output DIR may be written'),
    snapshot: z.boolean().optional().describe('snapshot the working and output dirs before each run'),
    monitor: z
      .object({
        enabled: z.boolean().optional().describe('watch processes, CPU, memory, sockets and traffic while the program runs (default true)'),
        cutNetwork: z.boolean().optional().describe('disconnect the network at the first alert that calls for it (default true)'),
        decoys: z.boolean().optional().describe('plant decoy credentials in the sandbox home; a read is a critical alert (default true)'),
      })
      .strict()
      .optional(),
    dependencies: z
      .object({
        check: z.boolean().optional().describe('check declared and imported dependencies before a run (default true)'),
        trustedIndexes: z
          .array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, { message: 'use a host name such as pypi.example.com' }))
          .max(100)
          .optional()
          .describe('package index hosts trusted like PyPI (a host also covers its subdomains)'),
        deniedLicenses: z
          .array(z.string().regex(/^[A-Za-z0-9.+() -]{1,64}$/, { message: 'use an SPDX id such as AGPL-3.0' }))
          .max(100)
          .optional()
          .describe('licences (SPDX ids or prefixes) you never accept in an installed dependency'),
        index: z
          .string()
          .regex(/^https?:\/\/[^\s]{1,2000}$/, { message: 'use an index URL such as https://pypi.example.com/simple/' })
          .optional()
          .describe("the package index packages are downloaded from (PEP 503 simple API; default PyPI's)"),
        allowSdist: z.boolean().optional().describe('allow source distributions, whose setup.py runs (in a sandbox) when they are built (default true; strict: false)'),
      })
      .strict()
      .optional(),
    policy: z
      .object({ low: action.optional(), medium: action.optional(), high: action.optional(), critical: action.optional() })
      .strict()
      .optional()
      .describe('what to do at each risk level'),
  })
  .strict();

export type ProfileFile = z.infer<typeof profileFileSchema>;

export function profileJsonSchema(): unknown {
  return z.toJSONSchema(profileFileSchema, { target: 'draft-2020-12' });
}
