import type { SapProductPlant, SapProductStorageLocation } from '@plantbridge/erp';

/** A material at a plant, as the simulator's material master holds it. */
export interface SimulatedMaterial {
  material: string;
  plant: string;
  baseUnit: string;
  batchManaged: boolean;
  /** Receipts from production go to quality inspection stock (`HasPostToInspectionStock`). */
  postsToInspectionStock: boolean;
  storageLocations: string[];
}

/** What a test or the control API says about a material; unsaid fields keep their value (or default). */
export type MaterialDefinition = Pick<SimulatedMaterial, 'material' | 'plant'> &
  Partial<Omit<SimulatedMaterial, 'material' | 'plant'>>;

/** The storage locations every material is extended to unless defined otherwise. */
export const DEFAULT_STORAGE_LOCATIONS: readonly string[] = ['0001', '0002', 'FG01'];

/**
 * Materials known at every plant asked for, so the default order can be produced anywhere: its
 * product FG-1000 and its components RM-100 (pieces) and RM-200 (kilograms, batch managed).
 */
export const DEFAULT_MATERIALS: Readonly<Record<string, Omit<SimulatedMaterial, 'material' | 'plant'>>> = {
  'FG-1000': { baseUnit: 'PC', batchManaged: false, postsToInspectionStock: false, storageLocations: [] },
  'RM-100': { baseUnit: 'PC', batchManaged: false, postsToInspectionStock: false, storageLocations: [] },
  'RM-200': { baseUnit: 'KG', batchManaged: true, postsToInspectionStock: false, storageLocations: [] },
};

const keyOf = (material: string, plant: string) => `${material}\u0000${plant}`;

/** The simulated material master (SAP's plant data with its storage locations), per material and plant. */
export class MaterialsMaster {
  private readonly materials = new Map<string, SimulatedMaterial>();

  /** Defines a material at a plant, or changes what is said about one already known. */
  define(definition: MaterialDefinition): SimulatedMaterial {
    const known = this.get(definition.material, definition.plant);
    const material: SimulatedMaterial = {
      material: definition.material,
      plant: definition.plant,
      baseUnit: definition.baseUnit ?? known?.baseUnit ?? 'PC',
      batchManaged: definition.batchManaged ?? known?.batchManaged ?? false,
      postsToInspectionStock: definition.postsToInspectionStock ?? known?.postsToInspectionStock ?? false,
      storageLocations: [
        ...(definition.storageLocations ?? known?.storageLocations ?? DEFAULT_STORAGE_LOCATIONS),
      ],
    };
    this.materials.set(keyOf(material.material, material.plant), material);
    return material;
  }

  /** Makes a material known at a plant unless it is already (what an order release needs). */
  ensure(material: string, plant: string, baseUnit: string): SimulatedMaterial {
    return this.get(material, plant) ?? this.define({ material, plant, baseUnit });
  }

  /** The material at the plant: as defined, or one of the default materials; undefined otherwise. */
  get(material: string, plant: string): SimulatedMaterial | undefined {
    const known = this.materials.get(keyOf(material, plant));
    if (known) return known;
    const defaults = DEFAULT_MATERIALS[material];
    if (!defaults) return undefined;
    const created = { material, plant, ...defaults, storageLocations: [...DEFAULT_STORAGE_LOCATIONS] };
    this.materials.set(keyOf(material, plant), created);
    return created;
  }

  /** Every material known so far (defaults appear once asked for at a plant), of one plant when given. */
  all(plant?: string): SimulatedMaterial[] {
    return [...this.materials.values()].filter((m) => plant === undefined || m.plant === plant);
  }
}

/** `A_ProductPlant` as SAP sends it, with `to_StorageLocation` when expanded. */
export function asProductPlant(material: SimulatedMaterial, expand: boolean): SapProductPlant {
  const plant: SapProductPlant = {
    Product: material.material,
    Plant: material.plant,
    BaseUnit: material.baseUnit,
    IsBatchManagementRequired: material.batchManaged,
    HasPostToInspectionStock: material.postsToInspectionStock,
    IsMarkedForDeletion: false,
  };
  if (expand) plant.to_StorageLocation = { results: asStorageLocations(material) };
  return plant;
}

export function asStorageLocations(material: SimulatedMaterial): SapProductStorageLocation[] {
  return material.storageLocations.map((storageLocation) => ({
    Product: material.material,
    Plant: material.plant,
    StorageLocation: storageLocation,
    IsMarkedForDeletion: false,
  }));
}
