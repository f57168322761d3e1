import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_SCOPES, LocalIssuer } from './local-issuer';

const HELP = `npm run token -- [options]

Prints a bearer token of the local issuer that \`npm start\` runs (keys in <data>/auth), for curl:
  curl -H "Authorization: Bearer $(npm run -s token -- --scope orders:read --plant P100)" …

Options:
  --scope S      a scope the token grants; repeat for more (default: every scope)
                 ${ALL_SCOPES.join(', ')}
  --plant P      a plant the token may touch; repeat for more, * for all (default: P100)
  --subject S    who the token says is calling (default: $USER or developer)
  --ttl S        lifetime in seconds (default: 43200, 12 hours)
  --data DIR     npm start's data folder (default: ./.data)
  --help         this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', multiple: true },
      plant: { type: 'string', multiple: true },
      subject: { type: 'string' },
      ttl: { type: 'string' },
      data: { type: 'string', default: './.data' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const unknown = (values.scope ?? []).filter((s) => !(ALL_SCOPES as string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scope ${unknown.join(', ')}; see --help`);
  const ttlS = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttlS !== undefined && !(Number.isInteger(ttlS) && ttlS > 0))
    throw new Error('--ttl must be whole seconds');
  const issuer = await LocalIssuer.inFolder(join(resolve(values.data), 'auth'));
  const token = await issuer.token({
    subject: values.subject ?? process.env.USER ?? 'developer',
    scopes: values.scope ?? ALL_SCOPES,
    plants: values.plant ?? ['P100'],
    ttlS,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
