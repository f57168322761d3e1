import { IsOperationNumber, IsOrderNumber } from './field-rules';

/** The order operation running on a piece of equipment when an equipment event happened. */
export class ProductionContext {
  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;
}
