// CommonJS twin of index.js: see there for why this stub exists.
module.exports = { RTCPeerConnection: undefined, RTCSessionDescription: undefined, RTCIceCandidate: undefined }
