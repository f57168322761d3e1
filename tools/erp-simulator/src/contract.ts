import {
  createProblems,
  type EdmEntitySet,
  MATERIAL_DOCUMENT_METADATA,
  MATERIAL_STOCK_METADATA,
  PROD_ORDER_CONFIRMATION_2_METADATA,
  PRODUCT_METADATA,
  PRODUCTION_ORDER_2_METADATA,
  type ServiceMetadata,
  valueProblem,
} from '@plantbridge/erp';
import { ODataQueryError, parseLiteral, type PropertyTypes } from './odata-query';
import { SapRejection } from './sap-rejection';

/**
 * The simulator holds every request to the project's metadata documents of SAP's services
 * (`@plantbridge/erp`, written from SAP's `$metadata`): a request that does not fit is refused
 * with SAP's error body, as SAP Gateway refuses it, and remembered as a contract violation so a
 * test can say which adapter call broke the contract.
 */
export class Contract {
  readonly violations: string[] = [];

  constructor(readonly service: ServiceMetadata) {}

  entitySet(name: string): EdmEntitySet {
    const set = this.service.entitySets[name];
    if (!set) throw this.refuse(404, '/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${name}'`);
    return set;
  }

  /** The Edm types `$filter` and `$orderby` may use on an entity set. */
  filterTypes(name: string): PropertyTypes {
    return Object.fromEntries(
      Object.entries(this.entitySet(name).properties)
        .filter(([, p]) => p.filterable !== false)
        .map(([property, p]) => [property, p.type]),
    );
  }

  /**
   * Refuses a POST body SAP would refuse: a set that cannot be created, unknown or non-creatable
   * properties, values that do not fit, here and in the entities of a deep insert.
   */
  checkCreate(name: string, body: unknown): void {
    this.entitySet(name);
    const problems = createProblems(this.service, name, body);
    if (problems.length) throw this.refuse(400, '/IWBEP/CM_MGW_RT/021', problems.join('; '));
  }

  /** Refuses a call of a function import SAP does not have, by another method, or with parameters it does not take. */
  checkFunctionImport(name: string, method: string, params: URLSearchParams): void {
    const call = this.service.functionImports[name];
    if (!call) throw this.refuse(404, '/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${name}'`);
    if (method !== call.httpMethod)
      throw this.refuse(405, '/IWBEP/CM_MGW_RT/405', `Function import ${name} takes ${call.httpMethod}`);
    for (const [param, raw] of params) {
      if (param.startsWith('$') || param === 'sap-client') continue;
      const property = call.parameters[param];
      if (!property)
        throw this.refuse(400, '/IWBEP/CM_MGW_RT/021', `Parameter '${param}' is invalid for ${name}`);
      const value = literalValue(raw, property.type);
      const problem =
        value === undefined ? `is not a ${property.type} literal: ${raw}` : valueProblem(value, property);
      if (problem) throw this.refuse(400, '/IWBEP/CM_MGW_RT/021', `Parameter '${param}' ${problem}`);
    }
    for (const [param, property] of Object.entries(call.parameters))
      if (property.nullable === false && !params.has(param))
        throw this.refuse(400, '/IWBEP/CM_MGW_RT/021', `Parameter '${param}' is mandatory for ${name}`);
  }

  /**
   * An entity's key by property name from a key predicate (`('…')` for a set with a one-part key,
   * `(A='…',B='…')` naming every part), refused as SAP refuses a predicate that does not name its key.
   */
  checkKey(name: string, key: string[] | Record<string, string>): Record<string, string> {
    const parts = this.entitySet(name).key;
    const byName = Array.isArray(key) ? (parts.length === 1 ? { [parts[0]]: key[0] } : {}) : key;
    const given = Object.keys(byName);
    if (given.length !== parts.length || !parts.every((part) => given.includes(part)))
      throw this.refuse(
        400,
        '/IWBEP/CM_MGW_RT/021',
        `Invalid key predicate for ${name}: its key is ${parts.join(', ')}`,
      );
    return byName;
  }

  /** An entity as SAP sends it: with `__metadata` (id, uri, type). */
  withMetadata<T extends object>(baseUrl: string, setName: string, entity: T): T & { __metadata: object } {
    const set = this.entitySet(setName);
    const keys = set.key
      .map((k) => `${k}='${String((entity as Record<string, unknown>)[k]).replace(/'/g, "''")}'`)
      .join(',');
    const uri = `${baseUrl}/sap/opu/odata/sap/${this.service.name}/${setName}(${keys})`;
    return { __metadata: { id: uri, uri, type: `${this.service.name}.${set.entityType}` }, ...entity };
  }

  private refuse(status: number, code: string, message: string): SapRejection {
    this.violations.push(`${this.service.name}: ${message}`);
    return new SapRejection(code, message, status);
  }
}

/** A function import parameter's URI literal as its JSON value; undefined when it is not the literal its type needs. */
function literalValue(raw: string, type: string): unknown {
  let literal;
  try {
    literal = parseLiteral(raw);
  } catch (error) {
    if (error instanceof ODataQueryError) return undefined;
    throw error;
  }
  if (literal.type !== type) return undefined;
  return type === 'Edm.DateTime' ? `/Date(${String(literal.value)})/` : literal.value;
}

export const contractsFor = () => ({
  orders: new Contract(PRODUCTION_ORDER_2_METADATA),
  confirmations: new Contract(PROD_ORDER_CONFIRMATION_2_METADATA),
  materialDocuments: new Contract(MATERIAL_DOCUMENT_METADATA),
  stock: new Contract(MATERIAL_STOCK_METADATA),
  products: new Contract(PRODUCT_METADATA),
});

export type Contracts = ReturnType<typeof contractsFor>;
