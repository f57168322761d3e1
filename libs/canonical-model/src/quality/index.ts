export * from './inspection-requested/v1';
export * from './result-recorded/v1';
export * from './hold-placed/v1';
export * from './hold-released/v1';
export * from './nonconformance-opened/v1';
