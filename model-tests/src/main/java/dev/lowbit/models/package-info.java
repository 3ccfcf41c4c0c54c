/**
 * One {@code @CompiledModel} interface per shared OMZ model variant (in src/models/java, compiled only when
 * ../shared/models exists) and the classes the processor generates for them.
 */
package dev.lowbit.models;
