// @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load
// without the Reflect metadata API (normally the `reflect-metadata` package). It only
// needs these three functions, so rather than add a dependency for them we define a
// minimal version here. Import this module before @peculiar/x509. If a full polyfill
// is already installed, it is left alone.

type MetadataTarget = object;
type PerProperty = Map<unknown, unknown>;

const store = new WeakMap<MetadataTarget, Map<string | symbol | undefined, PerProperty>>();

function ownMap(target: MetadataTarget, property: string | symbol | undefined, create: boolean): PerProperty | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol): void;
  getOwnMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
  getMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadata>;
if (typeof reflect.getMetadata !== 'function') {
  const api: ReflectMetadata = {
    defineMetadata(key, value, target, property) {
      ownMap(target, property, true)!.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return ownMap(target, property, false)?.get(key);
    },
    getMetadata(key, target, property) {
      for (let t: MetadataTarget | null = target; t; t = Object.getPrototypeOf(t) as MetadataTarget | null) {
        const map = ownMap(t, property, false);
        if (map?.has(key)) return map.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, api);
}
