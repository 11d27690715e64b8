declare const sourceBrand: unique symbol;
declare const targetBrand: unique symbol;

/**
 * An id in the source cloud. Branded so the compiler refuses to send a source id to the
 * destination: the main bug class of migration tools.
 */
export type SourceId<K extends string = string> = string & { readonly [sourceBrand]: K };
/** An id in the destination cloud. */
export type TargetId<K extends string = string> = string & { readonly [targetBrand]: K };

export const sourceId = <K extends string>(id: string): SourceId<K> => id as SourceId<K>;
export const targetId = <K extends string>(id: string): TargetId<K> => id as TargetId<K>;
