// Why this stub exists:
// bittorrent-tracker depends on webrtc-polyfill, which depends on node-datachannel, whose install
// step git-clones and builds native code from GitHub. That fails on machines without network beyond
// the npm registry (ours and CI's) and fails the whole `npm install`. mediastrends only uses the
// HTTP and UDP parts of bittorrent-tracker (its Server in tests and the demo), never WebRTC, so
// package.json `overrides` maps webrtc-polyfill to this package. bittorrent-tracker only reads these
// three names when a WebSocket/WebRTC peer shows up, which our trackers never accept.
export const RTCPeerConnection = undefined
export const RTCSessionDescription = undefined
export const RTCIceCandidate = undefined
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate }
