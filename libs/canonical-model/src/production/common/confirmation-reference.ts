import { IsIdentifier, IsOperationNumber, IsOrderNumber, IsPlantCode } from '../../common/field-rules';

/** Which operation confirmation an ERP-posting event is about: its key and the order operation. */
export class ConfirmationReferenceV1 {
  /** The confirmation's business key, SAP's `ExternalSystemConfirmation`. */
  @IsIdentifier(40)
  confirmationKey!: string;

  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;
}
