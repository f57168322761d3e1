import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EdmProperty,
  MATERIAL_DOCUMENT_METADATA,
  MATERIAL_STOCK_METADATA,
  PROD_ORDER_CONFIRMATION_2_METADATA,
  PRODUCT_METADATA,
  PRODUCTION_ORDER_2_METADATA,
  type ServiceMetadata,
} from '@plantbridge/erp';

const HELP = `npm run check:sap-metadata -- --dir <folder>

Checks the project's metadata documents of SAP's OData services (libs/erp/src/sap/metadata) against
SAP's own $metadata documents (<service>.edmx in the folder, e.g. ../shared/sap): every entity set,
key, property, navigation property and function import the project declares must exist in SAP's with
the same Edm type, MaxLength, Precision, Scale, Nullable, sap:creatable and sap:filterable, each
navigation property must lead to the entity type SAP's does, and each function import must return
SAP's entity set by SAP's HTTP method. Prints one line per difference and exits 1 if
there is any. Not part of npm test: SAP's documents are not part of the repository.

Options:
  --dir <folder>  where SAP's <service>.edmx files are (default ../shared/sap)
  -h, --help      this text`;

const SERVICES = [
  PRODUCTION_ORDER_2_METADATA,
  PROD_ORDER_CONFIRMATION_2_METADATA,
  MATERIAL_DOCUMENT_METADATA,
  MATERIAL_STOCK_METADATA,
  PRODUCT_METADATA,
];

const attributesOf = (tag: string) =>
  Object.fromEntries([...tag.matchAll(/([\w:]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

/** SAP's definition of one property or parameter next to ours: the differences, as text. */
function differences(where: string, ours: EdmProperty, sap: Record<string, string> | undefined): string[] {
  if (!sap) return [`${where}: not in SAP's metadata`];
  const expected: Array<[string, string | undefined, string | undefined]> = [
    ['Type', ours.type, sap.Type],
    ['MaxLength', ours.maxLength?.toString(), sap.MaxLength],
    ['Precision', ours.precision?.toString(), sap.Precision],
    ['Scale', ours.scale?.toString(), sap.Scale],
    [
      'Nullable',
      ours.nullable === false ? 'false' : undefined,
      sap.Nullable === 'false' ? 'false' : undefined,
    ],
    [
      'sap:creatable',
      ours.creatable === false ? 'false' : undefined,
      sap['sap:creatable'] === 'false' ? 'false' : undefined,
    ],
    [
      'sap:filterable',
      ours.filterable === false ? 'false' : undefined,
      sap['sap:filterable'] === 'false' ? 'false' : undefined,
    ],
  ];
  return expected
    .filter(([, mine, theirs]) => mine !== theirs)
    .map(
      ([attribute, mine, theirs]) =>
        `${where}: ${attribute} is ${theirs ?? '(unset)'} in SAP, ${mine ?? '(unset)'} here`,
    );
}

function check(service: ServiceMetadata, edmx: string): string[] {
  const found: string[] = [];
  for (const [setName, set] of Object.entries(service.entitySets)) {
    const setTag = new RegExp(`<EntitySet Name="${setName}"[^>]*>`).exec(edmx)?.[0];
    if (!setTag) {
      found.push(`${service.name}/${setName}: no such entity set in SAP's metadata`);
      continue;
    }
    const typeName = attributesOf(setTag).EntityType.split('.').pop();
    if (typeName !== set.entityType) found.push(`${service.name}/${setName}: its type is ${typeName} in SAP`);
    const creatable = attributesOf(setTag)['sap:creatable'] !== 'false';
    if (creatable !== (set.creatable !== false))
      found.push(`${service.name}/${setName}: sap:creatable is ${creatable} in SAP`);
    const type = new RegExp(`<EntityType Name="${typeName}"[\\s\\S]*?</EntityType>`).exec(edmx)?.[0] ?? '';
    const keys = [...(/<Key>([\s\S]*?)<\/Key>/.exec(type)?.[1] ?? '').matchAll(/Name="([^"]+)"/g)].map(
      (m) => m[1],
    );
    if (keys.join() !== set.key.join())
      found.push(`${service.name}/${setName}: key is ${keys.join(', ')} in SAP`);
    for (const [name, property] of Object.entries(set.properties)) {
      const tag = new RegExp(`<Property Name="${name}"[^>]*>`).exec(type)?.[0];
      found.push(
        ...differences(`${service.name}/${setName}.${name}`, property, tag ? attributesOf(tag) : undefined),
      );
    }
    for (const [nav, target] of Object.entries(set.navigation ?? {})) {
      const where = `${service.name}/${setName}.${nav}`;
      const leadsTo = navigationTarget(edmx, type, nav);
      if (!leadsTo) found.push(`${where}: no such navigation property in SAP`);
      else if (leadsTo !== service.entitySets[target].entityType)
        found.push(`${where}: leads to ${leadsTo} in SAP, to ${service.entitySets[target].entityType} here`);
    }
  }
  for (const [name, call] of Object.entries(service.functionImports)) {
    const block = new RegExp(`<FunctionImport Name="${name}"[\\s\\S]*?</FunctionImport>`).exec(edmx)?.[0];
    if (!block) {
      found.push(`${service.name}/${name}: no such function import in SAP`);
      continue;
    }
    const method = /m:HttpMethod="(\w+)"/.exec(block)?.[1];
    if (method !== call.httpMethod) found.push(`${service.name}/${name}: HTTP method is ${method} in SAP`);
    const returns = /EntitySet="(\w+)"/.exec(block)?.[1];
    if (returns !== call.returns) found.push(`${service.name}/${name}: returns ${returns} in SAP`);
    for (const [param, property] of Object.entries(call.parameters)) {
      const tag = new RegExp(`<Parameter Name="${param}"[^>]*>`).exec(block)?.[0];
      // A parameter without Nullable="true" is mandatory in SAP's function imports.
      const attributes = tag ? attributesOf(tag) : undefined;
      if (attributes) attributes.Nullable = attributes.Nullable === 'true' ? 'true' : 'false';
      found.push(...differences(`${service.name}/${name}(${param})`, property, attributes));
    }
  }
  return found;
}

/** The entity type a navigation property of an EDMX entity type leads to: its association's ToRole end. */
function navigationTarget(edmx: string, entityType: string, nav: string): string | undefined {
  const tag = new RegExp(`<NavigationProperty Name="${nav}"[^>]*>`).exec(entityType)?.[0];
  if (!tag) return undefined;
  const { Relationship, ToRole } = attributesOf(tag);
  const association = Relationship.split('.').pop();
  const block = new RegExp(`<Association Name="${association}"[\\s\\S]*?</Association>`).exec(edmx)?.[0];
  const end = [...(block ?? '').matchAll(/<End [^>]*>/g)]
    .map((m) => attributesOf(m[0]))
    .find((e) => e.Role === ToRole);
  return end?.Type.split('.').pop();
}

function main(): void {
  const { values } = parseArgs({
    options: { dir: { type: 'string', default: '../shared/sap' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(HELP);
  const dir = resolve(values.dir);
  const found = SERVICES.flatMap((service) => {
    const file = join(dir, `${service.name}.edmx`);
    console.log(`checking ${service.name} against ${file}`);
    return check(service, readFileSync(file, 'utf8'));
  });
  for (const line of found) console.log(`  ${line}`);
  console.log(found.length ? `${found.length} difference(s)` : "the metadata documents agree with SAP's");
  process.exitCode = found.length ? 1 : 0;
}

main();
