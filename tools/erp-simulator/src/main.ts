import { parseArgs } from 'node:util';
import { ErpSimulator } from './erp-simulator';
import { DEFAULT_MATERIALS } from './materials-master';
import { type ComponentInput, DEFAULT_COMPONENTS } from './store';

const HELP = `ERP simulator: SAP S/4HANA OData V2 shapes for Plantbridge tests and the demo.

Usage: node -r ./tools/runtime/register.js tools/erp-simulator/src/main.ts [options]

Options:
  --port <n>            HTTP port (default 4300)
  --host <addr>         bind address (default 127.0.0.1)
  --plants <list>       plants to release orders to, comma separated (default P100)
  --orders <n>          orders released per plant at start (default 2)
  --release-every <ms>  release one more order per plant at this interval (default: never)
  --quantity <n>        quantity of each order released (default 100)
  --opening-stock <n>   give each plant n of every component of the orders it releases, in storage
                        location 0001 (batch-managed ones in batch B0001, which the orders then
                        reserve): the demo's stock, so goods issues have something to take (default: none)
  --user <name>         require basic auth with this user (and --password)
  --password <secret>
  -h, --help            this text

OData services:
  /sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV        A_ProductionOrder_2, A_ProductionOrderOperation_2,
                                                       A_ProductionOrderComponent_2
  /sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV ProdnOrdConf2, CancelProdnOrdConf
  /sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV         A_MaterialDocumentHeader (deep insert), A_MaterialDocumentItem,
                                                       Cancel, CancelItem
  /sap/opu/odata/sap/API_MATERIAL_STOCK_SRV            A_MatlStkInAcctMod
  /sap/opu/odata/sap/API_PRODUCT_SRV                   A_ProductPlant (to_StorageLocation)

Control API (JSON):
  POST   /__sim/orders                 {"plant":"P100","quantity":100,"operations":2} releases an order
  POST   /__sim/orders/{id}/close      closes an order (confirmations are then refused); /reopen undoes it
  GET    /__sim/orders/{id}/components the order's components (A_ProductionOrderComponent_2)
  PUT    /__sim/faults                 {"latencyMs":50,"outageMs":60000,"throttle":{"count":3,"retryAfterSeconds":2,"pathContains":"ProdnOrdConf2"},"dropResponseEvery":3,
                                        "materialLock":{"material":"RM-100","count":2,"user":"MM_PLANNER"}}
  DELETE /__sim/faults                 clears every fault
  GET    /__sim/ledger?from=N          confirmations posted (from position N), in order, with commit times
  POST   /__sim/materials              {"material":"RM-300","plant":"P100","baseUnit":"KG","batchManaged":true,"postsToInspectionStock":false,"storageLocations":["0001"]}
  GET    /__sim/materials?plant=P100   the material master (defaults appear once asked for at a plant)
  PUT    /__sim/stock                  {"material":"RM-100","plant":"P100","storageLocation":"0001","batch":"","stockType":"unrestricted","quantity":500} or {"positions":[…]}
  GET    /__sim/stock?plant=&material= stock that is not zero
  GET    /__sim/material-documents?from=N  material documents posted (from position N), with their items and commit times
  PUT    /__sim/posting-period         {"current":"2027/01"}: postings only into it and the period before (else M7 053)
  DELETE /__sim/posting-period         every period open again
  GET    /__sim/requests               the OData request log (time, method, path, status)
  POST   /__sim/sessions/expire        forgets CSRF tokens, as an expired SAP session would
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4300' },
      host: { type: 'string', default: '127.0.0.1' },
      plants: { type: 'string', default: 'P100' },
      orders: { type: 'string', default: '2' },
      'release-every': { type: 'string' },
      quantity: { type: 'string', default: '100' },
      'opening-stock': { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const plants = values.plants
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const simulator = new ErpSimulator({
    port: Number(values.port),
    host: values.host,
    user: values.user,
    password: values.password,
  });
  const url = await simulator.start();
  const quantity = Number(values.quantity);
  if (!(quantity > 0)) throw new Error('--quantity must be a positive number');
  const openingStock = values['opening-stock'] === undefined ? undefined : Number(values['opening-stock']);
  if (openingStock !== undefined && !(openingStock > 0))
    throw new Error('--opening-stock must be a positive number');
  const order = { quantity, components: openingStock ? demoComponents() : undefined };
  for (const plant of plants) {
    if (openingStock) stockComponents(simulator, plant, order.components ?? [], openingStock);
    for (let i = 0; i < Number(values.orders); i++) simulator.store.releaseOrder({ plant, ...order });
  }
  if (values['release-every']) simulator.releaseEvery(Number(values['release-every']), plants, order);
  process.stdout.write(`ERP simulator listening on ${url} for plants ${plants.join(', ')}\n`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The default bill of material, a batch-managed component reserved from batch B0001. */
function demoComponents(): ComponentInput[] {
  return DEFAULT_COMPONENTS.map((c) =>
    DEFAULT_MATERIALS[c.material]?.batchManaged ? { ...c, batch: DEMO_BATCH } : c,
  );
}

function stockComponents(
  simulator: ErpSimulator,
  plant: string,
  components: ComponentInput[],
  quantity: number,
): void {
  for (const c of components)
    simulator.store.setStock({
      plant,
      material: c.material,
      storageLocation: c.storageLocation ?? '0001',
      batch: c.batch,
      quantity,
    });
}

const DEMO_BATCH = 'B0001';

main().catch((error: unknown) => {
  process.stderr.write(`ERP simulator cannot start: ${(error as Error).message}\n`);
  process.exit(1);
});
