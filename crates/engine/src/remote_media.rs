//! Downloads a media file from a public http(s) address (the local API's upload-from-url),
//! refusing loopback, private, link-local and other non-public addresses so a request cannot
//! reach this machine or its network: the host is resolved here, each address checked, and the
//! connection pinned to the checked address; redirects are followed by hand, each hop checked
//! the same way.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::{StatusCode, Url, header};

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("'{0}' is not a valid address")]
    BadUrl(String),
    #[error("Only http and https addresses can be downloaded")]
    Scheme,
    #[error("{0} is not a public address; Sipstory only downloads from the internet")]
    NotPublic(String),
    #[error("Could not find the host {0}")]
    Resolve(String),
    #[error("More than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("The server answered {0}")]
    Status(StatusCode),
    #[error("The file is larger than {0} MB")]
    TooLarge(u64),
    #[error("Could not download the file: {0}")]
    Network(String),
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared,
/// multicast, documentation, reserved or unspecified (IPv4, IPv6, and IPv4 inside IPv6).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0];
            if nat64 || s[..6] == [0; 6] {
                let v4 =
                    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                return is_public_v4(v4) && !v6.is_loopback() && !v6.is_unspecified();
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared (carrier-grade NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

/// Which addresses a download may connect to: public ones, plus any listed (tests only).
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    pub also_allowed: Vec<SocketAddr>,
}

impl AddressPolicy {
    fn allows(&self, addr: SocketAddr) -> bool {
        is_public(addr.ip()) || self.also_allowed.contains(&addr)
    }
}

/// A downloaded file: what the last hop called it.
#[derive(Debug, Clone, PartialEq)]
pub struct Downloaded {
    pub name: String,
}

/// The first address of `url`'s host that `policy` allows.
async fn checked_address(url: &Url, policy: &AddressPolicy) -> Result<SocketAddr, FetchError> {
    let host = url.host_str().ok_or_else(|| FetchError::BadUrl(url.to_string()))?;
    let port = url.port_or_known_default().ok_or(FetchError::Scheme)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|_| FetchError::Resolve(bare.to_owned()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(FetchError::Resolve(bare.to_owned()));
    }
    addrs.iter().copied().find(|a| policy.allows(*a)).ok_or_else(|| {
        FetchError::NotPublic(if bare.parse::<IpAddr>().is_ok() {
            bare.to_owned()
        } else {
            format!("{bare} ({})", addrs[0].ip())
        })
    })
}

/// Downloads `url` into `dest`, at most `max_bytes`.
pub async fn download(
    url: &str,
    dest: &mut std::fs::File,
    policy: &AddressPolicy,
    timeout: Duration,
    max_bytes: u64,
) -> Result<Downloaded, FetchError> {
    let mut url = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_owned()))?;
    for _ in 0..=MAX_REDIRECTS {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme);
        }
        let addr = checked_address(&url, policy).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve(&host, addr)
            .timeout(timeout)
            .user_agent(concat!("Sipstory/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Network(e.to_string()))?;
        let mut response =
            client.get(url.clone()).send().await.map_err(|e| FetchError::Network(e.to_string()))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(status))?;
            url = url.join(location).map_err(|_| FetchError::BadUrl(location.to_owned()))?;
            continue;
        }
        if !status.is_success() {
            return Err(FetchError::Status(status));
        }
        let too_large = FetchError::TooLarge(max_bytes / (1024 * 1024));
        if response.content_length().is_some_and(|n| n > max_bytes) {
            return Err(too_large);
        }
        let mut size = 0u64;
        while let Some(chunk) =
            response.chunk().await.map_err(|e| FetchError::Network(e.to_string()))?
        {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(too_large);
            }
            dest.write_all(&chunk).map_err(|e| FetchError::Network(e.to_string()))?;
        }
        let name = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .unwrap_or("download")
            .to_owned();
        return Ok(Downloaded { name });
    }
    Err(FetchError::TooManyRedirects)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private} is not public");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public} is public");
        }
    }
}
