import type { EdmProperty, ServiceMetadata } from './edm';

const key = (maxLength: number): EdmProperty => ({ type: 'Edm.String', maxLength, nullable: false });

/**
 * `API_PRODUCT_SRV`, the part Plantbridge reads: a material at a plant (`A_ProductPlant`) with the
 * storage locations it is extended to (`to_StorageLocation`, `A_ProductStorageLocation`). From SAP's
 * `$metadata`: `IsBatchManagementRequired`, `HasPostToInspectionStock` and `IsMarkedForDeletion` are
 * Edm.Boolean (unlike the production order's `'X'` flags); `BaseUnit` an Edm.String of 3. SAP lets
 * both sets be created; Plantbridge only reads them.
 */
export const PRODUCT_METADATA: ServiceMetadata = {
  name: 'API_PRODUCT_SRV',
  entitySets: {
    A_ProductPlant: {
      entityType: 'A_ProductPlantType',
      key: ['Product', 'Plant'],
      properties: {
        Product: key(40),
        Plant: key(4),
        BaseUnit: { type: 'Edm.String', maxLength: 3 },
        IsBatchManagementRequired: { type: 'Edm.Boolean' },
        HasPostToInspectionStock: { type: 'Edm.Boolean' },
        IsMarkedForDeletion: { type: 'Edm.Boolean' },
      },
      navigation: { to_StorageLocation: 'A_ProductStorageLocation' },
    },
    A_ProductStorageLocation: {
      entityType: 'A_ProductStorageLocationType',
      key: ['Product', 'Plant', 'StorageLocation'],
      properties: {
        Product: key(40),
        Plant: key(4),
        StorageLocation: key(4),
        IsMarkedForDeletion: { type: 'Edm.Boolean' },
      },
    },
  },
  functionImports: {},
};
