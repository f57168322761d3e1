/**
 * The project's own description of the SAP OData V2 services it uses: for each service the subset of
 * entity sets, properties and function imports Plantbridge reads or writes, with SAP's Edm types,
 * lengths, precision and scale, keys and capabilities, written from SAP's published `$metadata`.
 * The ERP simulator serves it at `$metadata` and refuses every request that does not fit it, so the
 * adapter is checked against SAP's contract, not against the simulator's author's understanding.
 */

export type EdmType =
  | 'Edm.String'
  | 'Edm.Decimal'
  | 'Edm.DateTime'
  | 'Edm.DateTimeOffset'
  | 'Edm.Time'
  | 'Edm.Guid'
  | 'Edm.Boolean';

export interface EdmProperty {
  type: EdmType;
  maxLength?: number;
  precision?: number;
  scale?: number;
  /** Default true, as in EDMX. */
  nullable?: boolean;
  /** `sap:creatable="false"`: a POST may not set it. Default true. */
  creatable?: boolean;
  /** `sap:filterable="false"`: not in `$filter`. Default true. */
  filterable?: boolean;
}

export interface EdmEntitySet {
  entityType: string;
  key: string[];
  properties: Record<string, EdmProperty>;
  /**
   * Navigation properties Plantbridge expands or creates through (a deep insert), to the entity set
   * they lead to.
   */
  navigation?: Record<string, string>;
  /** `sap:creatable="false"` on the set. Default true. */
  creatable?: boolean;
}

export interface EdmFunctionImport {
  httpMethod: 'GET' | 'POST';
  /** The entity set whose entity it returns. */
  returns: string;
  parameters: Record<string, EdmProperty>;
}

export interface ServiceMetadata {
  /** The service name, also its schema namespace: `API_PROD_ORDER_CONFIRMATION_2_SRV`. */
  name: string;
  entitySets: Record<string, EdmEntitySet>;
  functionImports: Record<string, EdmFunctionImport>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * OData V2 JSON writes both Edm.DateTime and Edm.DateTimeOffset as `/Date(<ms>[±<minutes>])/`; an
 * offset is allowed on a DateTime too (SAP Cloud SDK sends `+0000`), so both take it.
 */
const DATE_TIME = /^\/Date\(-?\d+([+-]\d{4})?\)\/$/;
const DATE_TIME_OFFSET = DATE_TIME;
const TIME = /^PT\d{1,2}H\d{1,2}M\d{1,2}S$/;
const DECIMAL = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * Why a JSON value (OData V2 JSON: decimals and 64-bit numbers as strings, `/Date(ms)/`, `PT…S`)
 * does not fit a property, or undefined when it does.
 */
export function valueProblem(value: unknown, property: EdmProperty): string | undefined {
  if (value === null) return property.nullable === false ? 'must not be null' : undefined;
  switch (property.type) {
    case 'Edm.String':
      if (typeof value !== 'string') return 'must be a string';
      if (property.maxLength !== undefined && value.length > property.maxLength)
        return `is longer than its ${property.maxLength} characters`;
      return undefined;
    case 'Edm.Decimal': {
      const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
      if (!match) return 'must be a decimal in a string, e.g. "10.500"';
      const scale = property.scale ?? 0;
      const digits = match[1].replace(/^0+(?=\d)/, '').length;
      if ((match[2]?.length ?? 0) > scale) return `has more than ${scale} decimals`;
      if (property.precision !== undefined && digits > property.precision - scale)
        return `has more than ${property.precision - scale} digits before the decimal point`;
      return undefined;
    }
    case 'Edm.DateTime':
      return typeof value === 'string' && DATE_TIME.test(value) ? undefined : 'must be /Date(ms)/';
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME_OFFSET.test(value)
        ? undefined
        : 'must be /Date(ms+0000)/';
    case 'Edm.Time':
      return typeof value === 'string' && TIME.test(value) ? undefined : 'must be PT<h>H<m>M<s>S';
    case 'Edm.Guid':
      return typeof value === 'string' && UUID.test(value) ? undefined : 'must be a GUID';
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
  }
}

/**
 * What is wrong with a POST body for the entity set `setName` of `service`: unknown or non-creatable
 * properties, values that do not fit, and the same for the entities nested under its navigation
 * properties (a deep insert, as `A_MaterialDocumentHeader` with `to_MaterialDocumentItem`). Nested
 * entities are created through their parent, so they may belong to a set that cannot be created on
 * its own (`A_MaterialDocumentItem`); a POST to such a set directly is refused, as SAP refuses it.
 */
export function createProblems(service: ServiceMetadata, setName: string, body: unknown): string[] {
  const entitySet = service.entitySets[setName];
  if (!entitySet) return [`Resource not found for segment '${setName}'`];
  if (entitySet.creatable === false) return [`entities of type ${entitySet.entityType} cannot be created`];
  return entityProblems(service, entitySet, body, '');
}

function entityProblems(
  service: ServiceMetadata,
  entitySet: EdmEntitySet,
  body: unknown,
  at: string,
): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return [`${at}the body must be a JSON object`];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === '__metadata') continue;
    const target = entitySet.navigation?.[name];
    if (target) {
      problems.push(...nestedProblems(service, service.entitySets[target], value, `${at}${name}`));
      continue;
    }
    const property = entitySet.properties[name];
    if (!property) {
      problems.push(`${at}Property '${name}' is invalid for ${entitySet.entityType}`);
      continue;
    }
    if (property.creatable === false) problems.push(`${at}Property '${name}' cannot be set on create`);
    const problem = valueProblem(value, property);
    if (problem) problems.push(`${at}Property '${name}' ${problem}`);
  }
  return problems;
}

/** Entities under a navigation property of a deep insert: OData V2 JSON takes an array or `{results: [...]}`. */
function nestedProblems(
  service: ServiceMetadata,
  target: EdmEntitySet,
  value: unknown,
  at: string,
): string[] {
  const results =
    value && typeof value === 'object' && 'results' in value
      ? (value as { results: unknown }).results
      : value;
  if (!Array.isArray(results))
    return [`Navigation property '${at}' must be an array of entities or {"results": [...]}`];
  return results.flatMap((entity, i) => entityProblems(service, target, entity, `${at}[${i}]: `));
}

/** The `$metadata` document of a service, as SAP Gateway serves it (EDMX 1.0, OData V2). */
export function toEdmx(service: ServiceMetadata): string {
  const ns = service.name;
  const attributes = (p: EdmProperty) =>
    [
      `Type="${p.type}"`,
      p.nullable === false ? 'Nullable="false"' : '',
      p.maxLength !== undefined ? `MaxLength="${p.maxLength}"` : '',
      p.precision !== undefined ? `Precision="${p.precision}"` : '',
      p.scale !== undefined ? `Scale="${p.scale}"` : '',
      p.creatable === false ? 'sap:creatable="false"' : '',
      p.filterable === false ? 'sap:filterable="false"' : '',
    ]
      .filter(Boolean)
      .join(' ');
  const types = Object.values(service.entitySets).map((set) => {
    const keys = set.key.map((k) => `<PropertyRef Name="${k}"/>`).join('');
    const props = Object.entries(set.properties)
      .map(([name, p]) => `<Property Name="${name}" ${attributes(p)}/>`)
      .join('');
    const navs = Object.entries(set.navigation ?? {})
      .map(([name, target]) => {
        const targetType = service.entitySets[target].entityType;
        return `<NavigationProperty Name="${name}" Relationship="${ns}.assoc_${set.entityType}_${targetType}" FromRole="FromRole_${set.entityType}" ToRole="ToRole_${targetType}"/>`;
      })
      .join('');
    return `<EntityType Name="${set.entityType}"><Key>${keys}</Key>${props}${navs}</EntityType>`;
  });
  const links = Object.entries(service.entitySets).flatMap(([from, set]) =>
    Object.values(set.navigation ?? {}).map((to) => ({
      from,
      to,
      name: `assoc_${set.entityType}_${service.entitySets[to].entityType}`,
      fromType: set.entityType,
      toType: service.entitySets[to].entityType,
    })),
  );
  const associations = links.map(
    (l) =>
      `<Association Name="${l.name}"><End Type="${ns}.${l.fromType}" Multiplicity="1" Role="FromRole_${l.fromType}"/>` +
      `<End Type="${ns}.${l.toType}" Multiplicity="*" Role="ToRole_${l.toType}"/></Association>`,
  );
  const associationSets = links.map(
    (l) =>
      `<AssociationSet Name="${l.name}_set" Association="${ns}.${l.name}">` +
      `<End EntitySet="${l.from}" Role="FromRole_${l.fromType}"/><End EntitySet="${l.to}" Role="ToRole_${l.toType}"/></AssociationSet>`,
  );
  const sets = Object.entries(service.entitySets).map(
    ([name, set]) =>
      `<EntitySet Name="${name}" EntityType="${ns}.${set.entityType}"${set.creatable === false ? ' sap:creatable="false"' : ''}/>`,
  );
  const imports = Object.entries(service.functionImports).map(([name, f]) => {
    const params = Object.entries(f.parameters)
      .map(([p, property]) => `<Parameter Name="${p}" Mode="In" ${attributes(property)}/>`)
      .join('');
    const returnType = `${ns}.${service.entitySets[f.returns].entityType}`;
    return `<FunctionImport Name="${name}" ReturnType="${returnType}" EntitySet="${f.returns}" m:HttpMethod="${f.httpMethod}">${params}</FunctionImport>`;
  });
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" ' +
    'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" ' +
    'xmlns:sap="http://www.sap.com/Protocols/SAPData">' +
    '<edmx:DataServices m:DataServiceVersion="2.0">' +
    `<Schema Namespace="${ns}" xml:lang="en" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">` +
    types.join('') +
    associations.join('') +
    `<EntityContainer Name="${ns}_Entities" m:IsDefaultEntityContainer="true">` +
    sets.join('') +
    associationSets.join('') +
    imports.join('') +
    '</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>'
  );
}
