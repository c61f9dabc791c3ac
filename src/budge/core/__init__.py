"""The pure core: rules over plain values. Imports only the standard library and itself."""
