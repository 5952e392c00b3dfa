//! The providers this build knows, by platform identifier.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Provider;

#[derive(Clone, Default)]
pub struct ProviderRegistry {
    providers: BTreeMap<String, Arc<dyn Provider>>,
}

impl ProviderRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider under its platform's identifier, replacing any earlier one.
    pub fn register(&mut self, provider: Arc<dyn Provider>) {
        self.providers.insert(provider.info().id.clone(), provider);
    }

    pub fn get(&self, platform: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.get(platform)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.providers.values()
    }
}
