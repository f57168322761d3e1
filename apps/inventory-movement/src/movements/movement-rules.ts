import { ConflictException, UnprocessableEntityException } from '@nestjs/common';
import type { ErpOrderComponent } from '@plantbridge/erp';
import type { ErpMaterialRecord } from '../master-data/erp-material.entity';
import type { ErpOrderRecord } from '../master-data/erp-order.entity';

/*
 * The rules a movement must keep against ERP's data, each refusal naming the rule and the fields:
 * 409 when the order's state refuses it, 422 when the movement does not fit the master data.
 */

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Goods can move for a released order only (not created, technically completed or closed). */
export function assertOrderTakesMovements(order: ErpOrderRecord): void {
  if (order.erpStatus !== 'released')
    throw new ConflictException(
      `order ${order.manufacturingOrder} is ${order.erpStatus} in ERP: no goods move for it`,
    );
}

/** The material exists at the plant, in this unit, at these storage locations, with a batch when it has batches. */
export function assertFitsMaterial(
  material: ErpMaterialRecord | null,
  input: { material: string; plant: string; unit: string; batch?: string; storageLocations: string[] },
): asserts material is ErpMaterialRecord {
  if (!material)
    throw new UnprocessableEntityException(
      `material: ${input.material} is not known at plant ${input.plant} in ERP`,
    );
  if (input.unit !== material.baseUnit)
    throw new UnprocessableEntityException(
      `unit: ${input.unit} is not the base unit of material ${input.material} (${material.baseUnit})`,
    );
  if (material.batchManaged && input.batch === undefined)
    throw new UnprocessableEntityException(
      `batch: material ${input.material} is batch-managed; a batch is required`,
    );
  if (!material.batchManaged && input.batch !== undefined)
    throw new UnprocessableEntityException(
      `batch: material ${input.material} is not batch-managed; send no batch`,
    );
  for (const location of input.storageLocations)
    if (!material.storageLocations.includes(location))
      throw new UnprocessableEntityException(
        `storageLocation: ${location} is not a storage location of material ${input.material} at plant ${input.plant}` +
          ` (its storage locations: ${material.storageLocations.join(', ') || 'none'})`,
      );
}

/**
 * The order component a goods issue of this material (and batch) withdraws against: of the order's
 * reservations of the material, the first that is not finally issued and still open, else the first.
 */
export function componentFor(order: ErpOrderRecord, material: string, batch?: string): ErpOrderComponent {
  const candidates = order.components.filter((c) => c.material === material);
  const fitting = candidates.filter((c) => !c.batch || !batch || c.batch === batch);
  const component =
    fitting.find((c) => !c.finallyIssued && c.withdrawnQuantity < c.requiredQuantity) ?? fitting[0];
  if (!component) {
    const known = [...new Set(order.components.map((c) => c.material))].join(', ') || 'none';
    throw new UnprocessableEntityException(
      candidates.length
        ? `batch: ${batch} is not the batch order ${order.manufacturingOrder} reserves of component ${material}`
        : `material: ${material} is not a component of order ${order.manufacturingOrder} (its components: ${known})`,
    );
  }
  return component;
}

/** A goods receipt from an order is of the order's own output, in the unit the order counts in. */
export function assertOrderOutput(order: ErpOrderRecord, material: string, unit: string): void {
  if (material !== order.material)
    throw new UnprocessableEntityException(
      `material: ${material} is not the output of order ${order.manufacturingOrder} (it makes ${order.material})`,
    );
  if (unit !== order.unit)
    throw new UnprocessableEntityException(
      `unit: order ${order.manufacturingOrder} counts its output in ${order.unit}, not ${unit}`,
    );
}

/**
 * An order movement stays within the tolerance of what the order calls for: `moved` is what was
 * moved so far (withdrawn of a component, received of the order), `required` what it calls for.
 */
export function assertWithinTolerance(input: {
  what: string;
  required: number;
  moved: number;
  quantity: number;
  unit: string;
  tolerancePercent: number;
}): void {
  const limit = input.required * (1 + input.tolerancePercent / 100);
  const after = input.moved + input.quantity;
  if (after > limit + 1e-9)
    throw new UnprocessableEntityException(
      `quantity: ${input.what} would reach ${round(after)} ${input.unit}, above the ${round(input.required)} ${input.unit} ` +
        `the order calls for + ${input.tolerancePercent} % tolerance (${round(limit)} ${input.unit}; ` +
        `${round(Math.max(0, limit - input.moved))} ${input.unit} still open)`,
    );
}
