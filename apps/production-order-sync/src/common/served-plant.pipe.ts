import { Inject, Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { ProductionOrderSyncConfig } from '../config';

/** One deployment serves one plant (one Helm release per plant): any other plant in a path is 404. */
@Injectable()
export class ServedPlantPipe implements PipeTransform<string, string> {
  constructor(@Inject(ProductionOrderSyncConfig) private readonly config: ProductionOrderSyncConfig) {}

  transform(plant: string): string {
    if (plant !== this.config.PLANT_ID) {
      throw new NotFoundException(
        `plant ${plant} is not served here; this deployment serves ${this.config.PLANT_ID}`,
      );
    }
    return plant;
  }
}
