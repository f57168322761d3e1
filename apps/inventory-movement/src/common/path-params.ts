import { IsOrderNumber } from '@plantbridge/canonical-model';
import { paramRule } from '@plantbridge/service-runtime';
import { IsUUID } from 'class-validator';

// The path parameters of this service's routes, each checked by the rule of the field it names.
export const MovementIdParam = paramRule('id', () => IsUUID());
export const OrderParam = paramRule('order', IsOrderNumber);
