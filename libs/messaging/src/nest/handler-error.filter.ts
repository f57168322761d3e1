import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest turns an error thrown by a microservice handler into `{ status: 'error', message }`, which
 * would hide PermanentError and RetryLaterError from settlement. `@OnEvent` puts this filter on
 * every event handler, so the original error comes back and settlement can tell them apart.
 */
@Catch()
export class HandlerErrorPassThrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
