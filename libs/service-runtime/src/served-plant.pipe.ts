import { Inject, Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';

/** The plant this deployment serves (PLANT_ID), as the platform module provides it. */
export const SERVED_PLANT = Symbol('SERVED_PLANT');

/**
 * The `{plant}` of a route: one deployment serves one plant (one Helm release per plant), so any
 * other plant in a path is a 404 naming the one served.
 */
@Injectable()
export class ServedPlantPipe implements PipeTransform<string, string> {
  constructor(@Inject(SERVED_PLANT) private readonly plant: string) {}

  transform(plant: string): string {
    if (plant !== this.plant) {
      throw new NotFoundException(`plant ${plant} is not served here; this deployment serves ${this.plant}`);
    }
    return plant;
  }
}
