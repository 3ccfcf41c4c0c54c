package dev.lowbit.example;

/** Placeholder until the project's own model exists (issue 5). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("lowbit example app: no model yet");
    }
}
