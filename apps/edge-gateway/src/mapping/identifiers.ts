// The identifier shapes a mapping uses, apart from the mapping classes so that every mapping file
// (tags, conditions) can share them without importing one another.

/** OPC UA node id in string form: `ns=1;s=Line1.M01.GoodParts`, `ns=2;i=1001`, `i=2258`, … */
export const NODE_ID =
  /^(ns=\d+;)?(s=.+|i=\d+|g=[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|b=[A-Za-z0-9+/=]+)$/;

/** An equipment id as canonical events carry it. */
export const EQUIPMENT_ID = /^[A-Za-z0-9_.-]{1,64}$/;
