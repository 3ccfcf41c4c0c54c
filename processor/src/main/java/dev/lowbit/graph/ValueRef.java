package dev.lowbit.graph;

/** Names one value in a graph: output {@code port} (position, from 0) of the node with id {@code node}. Immutable, thread-safe. */
public record ValueRef(int node, int port) {
    @Override
    public String toString() {
        return node + ":" + port;
    }
}
