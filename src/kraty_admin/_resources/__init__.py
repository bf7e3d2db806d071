"""Resource namespaces: each endpoint is described once and bound to either client.

Nothing is imported here: :class:`~kraty_admin._resources._namespaces.Namespaces` loads each
namespace's module on its first access, so ``import kraty_admin`` does not pay for them.
"""
