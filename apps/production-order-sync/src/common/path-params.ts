import { IsOperationNumber, IsOrderNumber } from '@plantbridge/canonical-model';
import { paramRule } from '@plantbridge/service-runtime';
import { IsUUID } from 'class-validator';

// The path parameters of this service's routes, each checked by the rule of the field it names.
export const OrderParam = paramRule('order', IsOrderNumber);
export const OperationParam = paramRule('operation', IsOperationNumber);
export const ConfirmationIdParam = paramRule('id', () => IsUUID());
